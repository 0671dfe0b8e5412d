namespace NeuralShield.Reports;

/// <summary>
/// Two audits side by side (e.g. a model before and after a defense): every run's headline metric with its change,
/// and every threat's verdict in both. Runs are matched by model, entry key and output defense; when both reports hold
/// one model each, by entry key and defense alone, so that a retrained model under another name is compared with the original.
/// </summary>
/// <param name="Baseline">The earlier report.</param>
/// <param name="Current">The later report.</param>
/// <param name="Rows">One row per run in either report (clean accuracy first).</param>
/// <param name="Verdicts">One per <see cref="Threat"/>.</param>
public sealed record ReportComparison(AuditReport Baseline, AuditReport Current, IReadOnlyList<RunDelta> Rows, IReadOnlyList<VerdictChange> Verdicts)
{
    /// <summary>Compares <paramref name="current"/> with <paramref name="baseline"/>.</summary>
    public static ReportComparison Of(AuditReport baseline, AuditReport current)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        var single = baseline.Models.Count == 1 && current.Models.Count == 1;
        string ModelOf(string name) => single ? "" : name;
        var rows = new List<RunDelta>();
        foreach (var model in current.Models.Select(m => m.Name).Union(baseline.Models.Select(m => m.Name)))
        {
            var before = baseline.Models.FirstOrDefault(m => single || m.Name == model);
            var after = current.Models.FirstOrDefault(m => single || m.Name == model);
            rows.Add(new RunDelta(after?.Name ?? model, "clean", null, "clean accuracy", before?.CleanAccuracy, after?.CleanAccuracy));
            if (single) break;
        }
        var old = baseline.Results.Where(r => Headline(r) is not null).ToLookup(r => (ModelOf(r.Model), r.Key ?? r.Attack.Name, r.Defense));
        var matched = new HashSet<AttackRecord>();
        foreach (var run in current.Results.Where(r => Headline(r) is not null))
        {
            var previous = old[(ModelOf(run.Model), run.Key ?? run.Attack.Name, run.Defense)].FirstOrDefault(r => !matched.Contains(r));
            if (previous is not null) matched.Add(previous);
            var (metric, value) = Headline(run)!.Value;
            rows.Add(new RunDelta(run.Model, run.Key ?? run.Attack.Name, run.Defense, metric, previous is null ? null : Headline(previous)!.Value.Value, value));
        }
        foreach (var gone in baseline.Results.Where(r => Headline(r) is not null && !matched.Contains(r)))
            rows.Add(new RunDelta(gone.Model, gone.Key ?? gone.Attack.Name, gone.Defense, Headline(gone)!.Value.Metric, Headline(gone)!.Value.Value, null));
        var verdicts = ThreatVerdicts.Assess(baseline).Zip(ThreatVerdicts.Assess(current), (b, a) => new VerdictChange(b, a)).ToArray();
        return new ReportComparison(baseline, current, rows, verdicts);
    }

    /// <summary>The metric a run is compared on and its value; null for a skipped or failed run.</summary>
    internal static (string Metric, double Value)? Headline(AttackRecord r)
    {
        if (r.Skipped is not null || r.Error is not null) return null;
        if (r.RobustAccuracy is { } robust) return ("robust accuracy", robust);
        if (r.Evasion is { } e) return ("success", e.SuccessRate);
        if (r.Fooling is { } f) return ("classes fooled", f.ReachedThresholdRate);
        if (r.Membership is { } m) return ("AUC", m.Auc);
        if (r.Extraction is { } x) return ("transfer success", x.TransferSuccessRate);
        if (r.Poisoning is { } p)
            return p.AttackSuccessRate is { } s ? ("backdoor success", s) : p.CleanAccuracy is { } a ? ("accuracy after", a) : null;
        return null;
    }
}
