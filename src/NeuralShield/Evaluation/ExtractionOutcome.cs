namespace NeuralShield.Evaluation;

/// <summary>A substitute against its target (<see cref="ExtractionEvaluation"/>).</summary>
/// <param name="SubstituteAccuracy">Share of the test samples the substitute labels correctly.</param>
/// <param name="Agreement">Share of the test samples on which substitute and target predict the same class.</param>
/// <param name="Transfer">The attack crafted on the substitute, judged on the target: success = the target misclassifies the adversarial (over every sample).</param>
/// <param name="TransferOnCorrect">The same success over the samples the target classifies correctly; NaN when there are none.</param>
public sealed record ExtractionOutcome(double SubstituteAccuracy, double Agreement, EvasionMetrics Transfer, double TransferOnCorrect);
