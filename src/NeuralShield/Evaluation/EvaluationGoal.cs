namespace NeuralShield.Evaluation;

/// <summary>Which goals the evaluation's attacks pursue.</summary>
public enum EvaluationGoal
{
    /// <summary>Untargeted: any label but the true one.</summary>
    Untargeted,

    /// <summary>
    /// Every other class as a target: each attacked sample is repeated C − 1 times with targets
    /// (y + 1) mod C, …, (y + C − 1) mod C, the JSMA and distillation papers' protocol.
    /// </summary>
    AllOtherTargets,
}
