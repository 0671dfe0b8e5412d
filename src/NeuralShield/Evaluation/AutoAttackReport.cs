namespace NeuralShield.Evaluation;

/// <summary>One member of an AutoAttack run: the robust accuracy once it has run on the samples no earlier member broke.</summary>
/// <param name="Attack">The member's name (e.g. "APGD-CE").</param>
/// <param name="RobustAccuracy">Share of all samples still classified correctly after this member (and the earlier ones).</param>
/// <param name="Broken">Samples this member broke.</param>
/// <param name="Queries">Samples it sent to the model (its own success checks included).</param>
/// <param name="Elapsed">Its wall-clock time.</param>
public sealed record AutoAttackRow(string Attack, double RobustAccuracy, int Broken, long Queries, TimeSpan Elapsed);

/// <summary>The outcome of <see cref="AutoAttackEvaluation"/>.</summary>
/// <param name="Samples">Samples evaluated.</param>
/// <param name="CleanAccuracy">Share classified correctly before any attack.</param>
/// <param name="RobustAccuracy">Share that no member broke: the worst case per sample over the ensemble.</param>
/// <param name="Rows">One row per member, in the order run.</param>
/// <param name="Robust">Per sample: whether it is correctly classified and no member broke it.</param>
/// <param name="Elapsed">Wall-clock time of the whole evaluation.</param>
public sealed record AutoAttackReport(int Samples, double CleanAccuracy, double RobustAccuracy, IReadOnlyList<AutoAttackRow> Rows,
    IReadOnlyList<bool> Robust, TimeSpan Elapsed);
