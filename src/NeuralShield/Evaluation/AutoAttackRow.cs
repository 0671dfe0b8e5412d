namespace NeuralShield.Evaluation;

/// <summary>One member of an AutoAttack run: the robust accuracy once it has run on the samples no earlier member broke.</summary>
/// <param name="Attack">The member's name (e.g. "APGD-CE").</param>
/// <param name="RobustAccuracy">Share of all samples still classified correctly after this member (and the earlier ones).</param>
/// <param name="Broken">Samples this member broke.</param>
/// <param name="Queries">Samples it sent to the model (its own success checks included).</param>
/// <param name="Elapsed">Its wall-clock time.</param>
public sealed record AutoAttackRow(string Attack, double RobustAccuracy, int Broken, long Queries, TimeSpan Elapsed);
