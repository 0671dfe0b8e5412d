namespace NeuralShield.Evaluation;

/// <summary>Which ensemble <see cref="AutoAttackEvaluation"/> runs.</summary>
public enum AutoAttackVersion
{
    /// <summary>
    /// AutoAttack's <c>standard</c> version for deterministic models: APGD-CE, APGD-T (targeted DLR, 9 target classes),
    /// then the Square attack (5,000 iterations, p_init 0.8; L∞ only). AutoAttack's FAB-T is not in the library yet.
    /// </summary>
    Standard,

    /// <summary>AutoAttack's <c>rand</c> version for randomised defenses: APGD-CE and APGD-DLR with 20 EOT draws per step.</summary>
    Rand,
}
