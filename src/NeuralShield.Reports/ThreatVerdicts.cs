using System.Globalization;

namespace NeuralShield.Reports;

/// <summary>
/// The verdict of an audit on each threat of the survey (<see cref="Threat"/>): one deciding number per threat — the
/// worst over the audited models and runs without an output defense — and its severity from fixed thresholds. The
/// thresholds and their sources (<see cref="ThreatVerdict.Thresholds"/>, docs/audit.md):
/// <list type="bullet">
/// <item>Evasion: the lowest robust accuracy at ε = 0.1 L∞ of PGD and, where they ran, AutoAttack, APGD-CE, APGD-T and Square
/// (else the lowest of the untargeted evasion runs) as a share of clean accuracy; high under 0.5 (the attacker turns at least half of the correct predictions), medium under 0.9
/// (Madry et al. 2018's adversarially trained MNIST model keeps 89.62% of 98.53%, 0.91 of its clean accuracy, at ε = 0.3).</item>
/// <item>Fooling: share of classes for which a fooling input reached the confidence threshold; high from 0.5, medium
/// above 0 (Nguyen et al. 2015 reach ≥ 99.99% confidence for every MNIST class).</item>
/// <item>Membership: TPR at 0.1% FPR as a multiple of chance (chance TPR equals the FPR; Carlini et al. 2022 argue
/// for this low-FPR measure over AUC); high from 10×, medium from 3×.</item>
/// <item>Extraction: transfer success of the substitute's adversarial examples; high from 0.5 (most of them work on
/// the model; Papernot et al. 2017 report 84.24%), medium from 0.2.</item>
/// <item>Poisoning: backdoor success at the smallest poison fraction run; high from 0.5, medium from 0.2 (BadNets,
/// Gu et al. 2017: over 99% at 10% poison on MNIST); without a backdoor run, the clean-accuracy loss after label
/// flipping at the smallest fraction: high from 0.10, medium from 0.02.</item>
/// </list>
/// The multiples and shares are NeuralShield's choices, anchored on the cited results.
/// </summary>
public static class ThreatVerdicts
{
    /// <summary>The entry key whose robust accuracy decides evasion when it ran.</summary>
    public const string EvasionKey = "pgd-linf-0.1";

    /// <summary>
    /// The robust-accuracy gap (PGD's minus AutoAttack's, or the strongest of APGD-CE, APGD-T and Square, at the same ε) above which PGD is
    /// taken to be fooled by masked gradients: 3 points (Madry et al.'s model loses 1.1 points from PGD to AutoAttack;
    /// a model whose gradients mislead PGD loses far more, 9.6 points on the library's PGD-7-trained LeNet-5).
    /// </summary>
    public const double MaskingGap = 0.03;

    /// <summary>Chance TPR at the FPR membership is judged at (0.1%).</summary>
    public const double MembershipFpr = 0.001;

    internal const string EvasionThresholds = "high: robust accuracy < 0.5 × clean accuracy (most correct predictions turned); medium: < 0.9 × clean " +
                                              "(Madry et al. 2018's adversarially trained MNIST model keeps 0.91 × clean at ε = 0.3); else low. The lowest of PGD, " +
                                              "AutoAttack, APGD and Square at ε = 0.1 decides; PGD more than 3 points above them flags gradient masking";
    internal const string FoolingThresholds = "high: ≥ 50% of classes get a fooling input over the confidence threshold; medium: any class " +
                                              "(Nguyen et al. 2015: ≥ 99.99% confidence for every MNIST class); else low";
    internal const string MembershipThresholds = "high: TPR at 0.1% FPR ≥ 10× chance; medium: ≥ 3× chance (chance = the FPR; low-FPR measure " +
                                                 "of Carlini et al. 2022); else low";
    internal const string ExtractionThresholds = "high: ≥ 50% of the substitute's adversarial examples transfer (Papernot et al. 2017: 84.24%); " +
                                                 "medium: ≥ 20%; else low";
    internal const string PoisoningThresholds = "high: backdoor success ≥ 50% at the smallest poison fraction (BadNets, Gu et al. 2017: > 99% at 10%); " +
                                                "medium: ≥ 20%; label flips alone: accuracy loss ≥ 10 points high, ≥ 2 medium; else low";

    /// <summary>One verdict per <see cref="Threat"/>, in the enum's order.</summary>
    public static IReadOnlyList<ThreatVerdict> Assess(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ran = report.Results.Where(r => r.Skipped is null && r.Error is null).ToArray();
        return [Evasion(report, ran), Fooling(ran), Membership(ran), Extraction(ran), Poisoning(report, ran)];
    }

    /// <summary>
    /// Every model and ε where PGD L∞ reports a robust accuracy more than <see cref="MaskingGap"/> above AutoAttack's at that
    /// ε (entry <c>autoattack-linf-ε</c>) or, where that did not run, the strongest of the other L∞ attacks that ran at that ε
    /// (entries <c>apgd-ce-ε</c>, <c>apgd-t-ε</c>, <c>square-linf-ε</c>).
    /// </summary>
    public static IReadOnlyList<MaskingFlag> GradientMasking(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = report.Results.Where(r => r.Skipped is null && r.Error is null && r.Defense is null && r.RobustAccuracy is not null && r.Key is not null).ToArray();
        var flags = new List<MaskingFlag>();
        foreach (var pgd in runs.Where(r => r.Key!.StartsWith("pgd-linf-", StringComparison.Ordinal)))
        {
            var epsilon = pgd.Key!["pgd-linf-".Length..];
            // AutoAttack's row where it ran (the ensemble's worst case per sample), else the strongest of its members' rows.
            var strongest = runs.FirstOrDefault(r => r.Model == pgd.Model && r.Key == AutoAttackKey(epsilon))
                            ?? runs.Where(r => r.Model == pgd.Model && StrongerKeys(epsilon).Contains(r.Key)).MinBy(r => r.RobustAccuracy!.Value);
            if (strongest is not null && pgd.RobustAccuracy!.Value - strongest.RobustAccuracy!.Value > MaskingGap)
                flags.Add(new MaskingFlag(pgd.Model, epsilon, pgd.Key!, pgd.RobustAccuracy.Value, strongest.Key!, strongest.RobustAccuracy.Value));
        }
        return flags;
    }

    private static string[] StrongerKeys(string epsilon) => [AutoAttackKey(epsilon), $"apgd-ce-{epsilon}", $"apgd-t-{epsilon}", $"square-linf-{epsilon}"];

    private static string AutoAttackKey(string epsilon) => $"autoattack-linf-{epsilon}";

    private static ThreatVerdict Evasion(AuditReport report, AttackRecord[] ran)
    {
        const string defense = "adversarial training", page = "docs/defenses/adversarial-training.md";
        var robust = ran.Where(r => r.RobustAccuracy is not null && r.Defense is null).ToArray();
        // PGD at ε = 0.1 and, where they ran, the stronger attacks at the same ε: the lowest robust accuracy decides.
        var epsilon = EvasionKey["pgd-linf-".Length..];
        var decidingKeys = StrongerKeys(epsilon).Append(EvasionKey).ToHashSet();
        var deciding = robust.Where(r => decidingKeys.Contains(r.Key ?? "")).ToArray() is { Length: > 0 } pgd ? pgd : robust;
        var worst = deciding.Select(r => (Run: r, Clean: Clean(report, r.Model))).Where(p => p.Clean > 0)
            .OrderBy(p => p.Run.RobustAccuracy!.Value / p.Clean).FirstOrDefault();
        if (worst.Run is null) return NotAssessed(Threat.Evasion, "robust accuracy", EvasionThresholds, defense, page);
        var (run, clean) = worst;
        var ratio = run.RobustAccuracy!.Value / clean;
        var severity = ratio < 0.5 ? Severity.High : ratio < 0.9 ? Severity.Medium : Severity.Low;
        var sentence = $"An attacker with the model's gradients changes {P(run.Evasion!.Value.SuccessRate)} of predictions with {run.Attack.Name} " +
                       $"({run.Setting}): accuracy falls from {P(clean)} to {P(run.RobustAccuracy.Value)}.";
        if (GradientMasking(report).FirstOrDefault(f => f.Model == run.Model) is { } masking)
            sentence += $" Gradient masking suspected: PGD alone reports {P(masking.PgdRobustAccuracy)} at ε = {masking.Epsilon}, " +
                        $"{masking.StrongestKey} {P(masking.StrongestRobustAccuracy)}; PGD overstates the robustness.";
        return new(Threat.Evasion, severity, $"robust accuracy, {run.Key ?? run.Attack.Name} ({run.Model})", run.RobustAccuracy, sentence, EvasionThresholds, defense, page);
    }

    private static ThreatVerdict Fooling(AttackRecord[] ran)
    {
        const string defense = "stateful query detection (flags the query-based search)", page = "docs/defenses/stateful-detection.md";
        var run = ran.Where(r => r.Fooling is not null).MaxBy(r => r.Fooling!.Value.ReachedThresholdRate);
        if (run is null) return NotAssessed(Threat.Fooling, "share of classes fooled", FoolingThresholds, defense, page);
        var rate = run.Fooling!.Value.ReachedThresholdRate;
        var severity = rate >= 0.5 ? Severity.High : rate > 0 ? Severity.Medium : Severity.Low;
        var sentence = $"{run.Attack.Name} synthesises inputs the model takes for a class with high confidence for {P(rate)} of the classes " +
                       $"(lowest confidence {run.Fooling.Value.MinConfidence.ToString("0.####", CultureInfo.InvariantCulture)}).";
        return new(Threat.Fooling, severity, $"classes fooled, {run.Key ?? run.Attack.Name} ({run.Model})", rate, sentence, FoolingThresholds, defense, page);
    }

    private static ThreatVerdict Membership(AttackRecord[] ran)
    {
        const string defense = "DP-SGD (output defenses only blunt it)", page = "docs/defenses/dp-sgd.md";
        var runs = ran.Where(r => r.Membership is not null).ToArray();
        var undefended = runs.Where(r => r.Defense is null).ToArray();
        var run = (undefended.Length > 0 ? undefended : runs).OrderByDescending(r => r.Membership!.Value.TprAt01PctFpr).ThenByDescending(r => r.Membership!.Value.Auc)
            .FirstOrDefault();
        if (run is null) return NotAssessed(Threat.Membership, "TPR at 0.1% FPR", MembershipThresholds, defense, page);
        var m = run.Membership!.Value;
        var multiple = m.TprAt01PctFpr / MembershipFpr;
        var severity = m.TprAt01PctFpr >= 10 * MembershipFpr ? Severity.High : m.TprAt01PctFpr >= 3 * MembershipFpr ? Severity.Medium : Severity.Low;
        var auc = $"({run.Attack.Name}; AUC {m.Auc.ToString("0.000", CultureInfo.InvariantCulture)})";
        var sentence = m.TprAt01PctFpr > 0
            ? $"An attacker who can query the model identifies training members at {P(m.TprAt01PctFpr)} TPR with 0.1% false positives — " +
              $"{multiple.ToString("0.#", CultureInfo.InvariantCulture)}× chance {auc}."
            : $"An attacker who can query the model finds no training member while keeping false positives at 0.1% {auc}.";
        return new(Threat.Membership, severity, $"TPR at 0.1% FPR, {run.Key ?? run.Attack.Name} ({run.Model})", m.TprAt01PctFpr, sentence, MembershipThresholds, defense, page);
    }

    private static ThreatVerdict Extraction(AttackRecord[] ran)
    {
        const string defense = "stateful query detection", page = "docs/defenses/stateful-detection.md";
        var run = ran.Where(r => r.Extraction is not null).MaxBy(r => r.Extraction!.Value.TransferSuccessRate);
        if (run is null) return NotAssessed(Threat.Extraction, "transfer success", ExtractionThresholds, defense, page);
        var x = run.Extraction!.Value;
        var severity = x.TransferSuccessRate >= 0.5 ? Severity.High : x.TransferSuccessRate >= 0.2 ? Severity.Medium : Severity.Low;
        var sentence = $"With {x.OracleQueries} queries an attacker trains a copy that agrees with the model on {P(x.SubstituteAgreement)} of inputs; " +
                       $"{P(x.TransferSuccessRate)} of the adversarial examples crafted on the copy fool the model.";
        return new(Threat.Extraction, severity, $"transfer success, {run.Key ?? run.Attack.Name} ({run.Model})", x.TransferSuccessRate, sentence, ExtractionThresholds, defense, page);
    }

    private static ThreatVerdict Poisoning(AuditReport report, AttackRecord[] ran)
    {
        const string defense = "training-data defenses (sanitization, integrity manifest)", page = "docs/defenses/data-defenses.md";
        var runs = ran.Where(r => r.Poisoning is not null).ToArray();
        var backdoor = runs.Where(r => r.Poisoning!.Value.AttackSuccessRate is not null)
            .OrderBy(r => r.Poisoning!.Value.PoisonFraction).ThenByDescending(r => r.Poisoning!.Value.AttackSuccessRate).FirstOrDefault();
        if (backdoor is not null)
        {
            var p = backdoor.Poisoning!.Value;
            var s = p.AttackSuccessRate!.Value;
            var severity = s >= 0.5 ? Severity.High : s >= 0.2 ? Severity.Medium : Severity.Low;
            var sentence = $"Poisoning {P(p.PoisonFraction)} of the training data plants a backdoor that sends {P(s)} of triggered inputs to the attacker's class" +
                           (p.CleanAccuracy is { } a ? $", while clean accuracy stays at {P(a)}." : ".");
            return new(Threat.Poisoning, severity, $"backdoor success, {backdoor.Key ?? backdoor.Attack.Name} ({backdoor.Model})", s, sentence, PoisoningThresholds, defense, page);
        }
        var flip = runs.Where(r => r.Poisoning!.Value.CleanAccuracy is not null).OrderBy(r => r.Poisoning!.Value.PoisonFraction).FirstOrDefault();
        if (flip is null) return NotAssessed(Threat.Poisoning, "backdoor success", PoisoningThresholds, defense, page);
        var f = flip.Poisoning!.Value;
        var loss = Clean(report, flip.Model) - f.CleanAccuracy!.Value;
        var level = loss >= 0.10 ? Severity.High : loss >= 0.02 ? Severity.Medium : Severity.Low;
        return new(Threat.Poisoning, level, $"accuracy loss, {flip.Key ?? flip.Attack.Name} ({flip.Model})", loss,
            $"Flipping the labels of {P(f.PoisonFraction)} of the training data costs {(loss * 100).ToString("0.#", CultureInfo.InvariantCulture)} points of clean accuracy.",
            PoisoningThresholds, defense, page);
    }

    private static ThreatVerdict NotAssessed(Threat threat, string metric, string thresholds, string defense, string page) =>
        new(threat, Severity.NotAssessed, metric, null, "No run of this audit measured it (not selected, skipped or failed).", thresholds, defense, page);

    private static double Clean(AuditReport report, string model) => report.Models.FirstOrDefault(m => m.Name == model)?.CleanAccuracy ?? double.NaN;

    internal static string P(double v) => double.IsFinite(v) ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "n/a";
}
