using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// A reproduction's attack runs written into its report as the audit records them (<see cref="AttackRecord"/>: model,
/// attack, setting, goal, the family's metrics, the defense and whether the attacker knew it, the paper's number).
/// </summary>
internal static class ReproductionRecords
{
    /// <summary>An evasion run.</summary>
    public static AttackRecord Evasion(this ReproductionReport report, string model, IAttack attack, string setting, string goal, EvasionMetrics metrics,
        string? paper = null, string? defense = null, bool? adaptive = null) =>
        report.Add(new AttackRecord(model, AttackInfo.From(attack.Descriptor), setting, goal, Evasion: metrics) { PaperResult = paper, Defense = defense, AdaptiveAttacker = adaptive });

    /// <summary>A fooling run.</summary>
    public static AttackRecord Fooling(this ReproductionReport report, string model, IAttack attack, string setting, FoolingMetrics metrics, string? paper = null) =>
        report.Add(new AttackRecord(model, AttackInfo.From(attack.Descriptor), setting, "every class once", Fooling: metrics) { PaperResult = paper });

    /// <summary>An extraction run (the substitute's agreement and the transfer from it).</summary>
    public static AttackRecord Extraction(this ReproductionReport report, string model, IAttack attack, string setting, ExtractionMetrics metrics,
        string? paper = null) =>
        report.Add(new AttackRecord(model, AttackInfo.From(attack.Descriptor), setting, "untargeted (transfer)", Extraction: metrics) { PaperResult = paper });

    /// <summary>A membership inference run.</summary>
    public static AttackRecord Membership(this ReproductionReport report, string model, IAttack attack, string setting, MembershipMetrics metrics,
        string? paper = null, string? defense = null, bool? adaptive = null) =>
        report.Add(new AttackRecord(model, AttackInfo.From(attack.Descriptor), setting, null, Membership: metrics) { PaperResult = paper, Defense = defense, AdaptiveAttacker = adaptive });

    /// <summary>A poisoning run: the model retrained on the poisoned data.</summary>
    public static AttackRecord Poisoning(this ReproductionReport report, string model, IAttack attack, string setting, string? goal, PoisoningMetrics metrics, string? paper = null) =>
        report.Add(new AttackRecord(model, AttackInfo.From(attack.Descriptor), setting, goal) { Poisoning = metrics, PaperResult = paper });

    /// <summary>
    /// The metrics of several runs of one attack pooled as one run over all their samples: success over every sample,
    /// distances over every success, queries and time summed.
    /// </summary>
    public static EvasionMetrics Pooled(IReadOnlyCollection<EvasionMetrics> runs)
    {
        var samples = runs.Sum(r => r.SampleCount);
        var successes = runs.Sum(r => r.SuccessRate * r.SampleCount);
        double OverSuccesses(Func<EvasionMetrics, double> mean) =>
            successes == 0 ? double.NaN : runs.Where(r => r.SuccessRate > 0).Sum(r => mean(r) * r.SuccessRate * r.SampleCount) / successes;
        return new EvasionMetrics(samples, samples == 0 ? double.NaN : successes / samples,
            OverSuccesses(r => r.MeanL0), OverSuccesses(r => r.MeanL0Fraction), OverSuccesses(r => r.MeanL2), OverSuccesses(r => r.MeanLInf),
            samples == 0 ? double.NaN : runs.Sum(r => r.MeanL0FractionAll * r.SampleCount) / samples,
            runs.Sum(r => r.Queries), TimeSpan.FromTicks(runs.Sum(r => r.Elapsed.Ticks)));
    }

    private static AttackRecord Add(this ReproductionReport report, AttackRecord record)
    {
        report.Records.Add(record);
        return record;
    }
}
