namespace NeuralShield.Evaluation;

/// <summary>Which ensemble <see cref="AutoAttackEvaluation"/> runs.</summary>
public enum AutoAttackVersion
{
    /// <summary>
    /// AutoAttack's <c>standard</c> version for deterministic models: APGD-CE, APGD-T (targeted DLR, 9 target classes),
    /// FAB-T (9 target classes, 100 iterations, 1 run each), then the Square attack (5,000 iterations, p_init 0.8; L∞ only).
    /// </summary>
    Standard,

    /// <summary>AutoAttack's <c>rand</c> version for randomised defenses: APGD-CE and APGD-DLR with 20 EOT draws per step.</summary>
    Rand,
}
