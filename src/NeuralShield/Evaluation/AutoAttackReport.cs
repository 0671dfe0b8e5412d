namespace NeuralShield.Evaluation;

/// <summary>The outcome of <see cref="AutoAttackEvaluation"/>.</summary>
/// <param name="Samples">Samples evaluated.</param>
/// <param name="CleanAccuracy">Share classified correctly before any attack.</param>
/// <param name="RobustAccuracy">Share that no member broke: the worst case per sample over the ensemble.</param>
/// <param name="Rows">One row per member, in the order run.</param>
/// <param name="Robust">Per sample: whether it is correctly classified and no member broke it.</param>
/// <param name="Elapsed">Wall-clock time of the whole evaluation.</param>
public sealed record AutoAttackReport(int Samples, double CleanAccuracy, double RobustAccuracy, IReadOnlyList<AutoAttackRow> Rows,
    IReadOnlyList<bool> Robust, TimeSpan Elapsed)
{
    /// <summary>
    /// The ensemble as one untargeted evasion run, as the audit records it: success 1 − robust accuracy over every sample
    /// (a misclassified one counts as broken), the members' queries summed; no distances (the ensemble keeps which samples
    /// it broke, not their adversarial examples).
    /// </summary>
    public EvasionMetrics AsEvasionMetrics() => new(Samples, 1 - RobustAccuracy, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
        Rows.Sum(r => r.Queries), Elapsed);
}
