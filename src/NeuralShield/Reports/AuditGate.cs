namespace NeuralShield.Reports;

/// <summary>
/// A threshold a CI pipeline puts on an audit: <c>metric=bound</c>. Metrics where higher is safer (accuracies) fail
/// when under the bound; metrics where higher is worse for the model (attack success, membership AUC, backdoor
/// success) fail when over it. Metrics: <c>clean_accuracy</c>; <c>robust_accuracy@KEY</c> (untargeted evasion entry;
/// without <c>@KEY</c> the lowest over all of them); <c>attack_success@KEY</c>; <c>membership_auc</c> and
/// <c>membership_advantage</c> (the highest over the membership entries, or <c>@KEY</c>); <c>transfer_success</c>;
/// <c>backdoor_success</c> (highest, or <c>@KEY</c>); <c>poisoned_accuracy</c> (lowest clean accuracy after poisoning, or <c>@KEY</c>).
/// </summary>
/// <param name="Metric">The metric name, with its <c>@KEY</c> when it has one (lower case).</param>
/// <param name="Bound">The bound.</param>
public sealed record AuditGate(string Metric, double Bound)
{
    private static readonly string[] HigherIsSafer = ["clean_accuracy", "robust_accuracy", "poisoned_accuracy"];
    private static readonly string[] HigherIsWorse = ["attack_success", "membership_auc", "membership_advantage", "transfer_success", "backdoor_success"];

    /// <summary>The metric names a gate may use.</summary>
    public static IReadOnlyList<string> MetricNames { get; } = [.. HigherIsSafer, .. HigherIsWorse];

    /// <summary>Whether the gate fails when the value is under the bound (true) or over it (false).</summary>
    public bool FailsUnder => HigherIsSafer.Contains(BaseMetric);

    private string BaseMetric => Metric.Split('@')[0];

    private string? EntryKey => Metric.Contains('@') ? Metric[(Metric.IndexOf('@') + 1)..] : null;

    /// <summary>Reads <c>metric=bound</c> (e.g. <c>robust_accuracy@pgd-linf-0.1=0.5</c>).</summary>
    /// <exception cref="FormatException">The text is not <c>metric=bound</c> with a known metric and a finite number.</exception>
    public static AuditGate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.LastIndexOf('=');
        if (at <= 0 || at == text.Length - 1) throw new FormatException($"gate '{text}' is not metric=bound (e.g. robust_accuracy@pgd-linf-0.1=0.5).");
        var metric = text[..at].Trim().ToLowerInvariant();
        if (!double.TryParse(text[(at + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) || !double.IsFinite(bound))
            throw new FormatException($"gate '{text}': the bound must be a finite number.");
        var gate = new AuditGate(metric, bound);
        if (!MetricNames.Contains(gate.BaseMetric))
            throw new FormatException($"gate '{text}': unknown metric '{gate.BaseMetric}' (use {string.Join(", ", MetricNames)}).");
        if (gate.EntryKey is "") throw new FormatException($"gate '{text}': name an entry after '@'.");
        // Every metric is a rate: a bound outside [0, 1] can never be met or never be missed.
        if (bound is < 0 or > 1) throw new FormatException($"gate '{text}': {gate.BaseMetric} is a rate in [0, 1]; the bound {bound.ToString(CultureInfo.InvariantCulture)} is outside it.");
        return gate;
    }

    /// <summary>
    /// <see cref="Parse(string)"/>, and a gate naming an entry (<c>@KEY</c>) must name one of <paramref name="keys"/>
    /// (the entries the audit will run), so that a typo is refused before the audit runs instead of failing the gate after it.
    /// </summary>
    /// <exception cref="FormatException">As for <see cref="Parse(string)"/>, or the entry key is not among <paramref name="keys"/>.</exception>
    public static AuditGate Parse(string text, IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var gate = Parse(text);
        if (gate.EntryKey is { } key && !keys.Contains(key))
            throw new FormatException($"gate '{text}': no entry '{key}' in this audit (keys: {string.Join(", ", keys)}; neuralshield audit --list).");
        return gate;
    }

    /// <summary>
    /// Checks the gate on <paramref name="report"/>: fails when the value is on the wrong side of the bound, when no run
    /// gives the metric, or when a run the gate covers (every run, or the entry it names) ended with an error.
    /// </summary>
    public GateResult Check(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var failed = report.Results.Where(r => r.Error is not null && (EntryKey is null || r.Key == EntryKey)).ToArray();
        if (failed.Length > 0)
            return new GateResult(this, null, false,
                $"{Metric}: {failed.Length} run{(failed.Length == 1 ? "" : "s")} ended with an error ({string.Join(", ", failed.Select(r => $"{r.Model}/{r.Key ?? r.Attack.Name}"))})");
        var ran = report.Results.Where(r => r.Skipped is null && r.Error is null && (EntryKey is null || r.Key == EntryKey)).ToArray();
        double[] values = BaseMetric switch
        {
            "clean_accuracy" => report.Models.Select(m => m.CleanAccuracy).ToArray(),
            "robust_accuracy" => ran.Select(r => r.RobustAccuracy).OfType<double>().ToArray(),
            "attack_success" => ran.Where(r => r.Evasion is not null).Select(r => r.Evasion!.Value.SuccessRate).ToArray(),
            "membership_auc" => ran.Where(r => r.Membership is not null).Select(r => r.Membership!.Value.Auc).ToArray(),
            "membership_advantage" => ran.Where(r => r.Membership is not null).Select(r => r.Membership!.Value.Advantage).ToArray(),
            "transfer_success" => ran.Where(r => r.Extraction is not null).Select(r => r.Extraction!.Value.TransferSuccessRate).ToArray(),
            "backdoor_success" => ran.Select(r => r.Poisoning?.AttackSuccessRate).OfType<double>().ToArray(),
            "poisoned_accuracy" => ran.Select(r => r.Poisoning?.CleanAccuracy).OfType<double>().ToArray(),
            _ => [],
        };
        values = values.Where(double.IsFinite).ToArray();
        if (values.Length == 0)
            return new GateResult(this, null, false, $"{Metric}: no run of this audit gives it{(EntryKey is null ? "" : $" (is '{EntryKey}' a key of a run that was not skipped?)")}");
        var value = FailsUnder ? values.Min() : values.Max();
        var passed = FailsUnder ? value >= Bound : value <= Bound;
        var relation = FailsUnder ? (passed ? ">=" : "<") : (passed ? "<=" : ">");
        return new GateResult(this, value, passed, string.Create(CultureInfo.InvariantCulture, $"{Metric} = {value:0.####} {relation} {Bound:0.####}"));
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Metric}={Bound}");
}
