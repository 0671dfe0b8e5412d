namespace NeuralShield.Attacks.Extraction;

/// <summary>One round of substitute training.</summary>
/// <param name="Round">ρ, from 0.</param>
/// <param name="TrainingSetSize">|S_ρ|, the samples the substitute was trained on this round.</param>
/// <param name="OracleQueries">Oracle queries spent up to and including this round's training set.</param>
/// <param name="OracleAgreement">Share of S_ρ on which the substitute's prediction equals the oracle's label.</param>
/// <param name="Evaluation">The value of <see cref="JacobianSubstituteOptions.RoundEvaluation"/> after this round, when set.</param>
/// <param name="Elapsed">Wall-clock time of the round (training, and the augmentation that followed it).</param>
public readonly record struct SubstituteRound(int Round, int TrainingSetSize, long OracleQueries, double OracleAgreement, double? Evaluation, TimeSpan Elapsed);
