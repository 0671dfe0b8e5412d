namespace NeuralShield.Evaluation;

/// <summary>
/// An honest evaluation of a defended classifier (after Carlini et al., "On Evaluating Adversarial Robustness",
/// 2019, arXiv 1902.06705): clean accuracies, the plain attack on the undefended and the defended model, an
/// adaptive attack that does not depend on the defense's masked gradient, and a transfer attack from the
/// undefended model. Every success is judged on the defended (or, for <see cref="Undefended"/>, the undefended)
/// classifier's own prediction.
/// </summary>
/// <param name="CleanSamples">Test samples the clean accuracies were measured on.</param>
/// <param name="UndefendedAccuracy">Clean accuracy of the undefended classifier.</param>
/// <param name="DefendedAccuracy">Clean accuracy of the defended classifier.</param>
/// <param name="AttackedSamples">Test samples attacked.</param>
/// <param name="AttackInstances">Attack instances (samples × targets per sample).</param>
/// <param name="Goal">The goal of the attacks.</param>
/// <param name="Undefended">The plain attack on the undefended classifier.</param>
/// <param name="Defended">The plain attack on the defended classifier.</param>
/// <param name="Adaptive">The adaptive attack, judged on the defended classifier.</param>
/// <param name="Transfer">Adversarials crafted on the undefended classifier, judged on the defended one.</param>
public sealed record DefenseEvaluationReport(
    int CleanSamples, double UndefendedAccuracy, double DefendedAccuracy, int AttackedSamples, int AttackInstances, EvaluationGoal Goal,
    EvasionMetrics Undefended, EvasionMetrics Defended, EvasionMetrics Adaptive, EvasionMetrics Transfer)
{
    /// <summary>Undefended minus defended clean accuracy (positive: the defense costs accuracy).</summary>
    public double AccuracyDrop => UndefendedAccuracy - DefendedAccuracy;
}
