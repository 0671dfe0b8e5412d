namespace NeuralShield.Evaluation;

/// <summary>A model retrained on (poisoned or sanitized) data, measured on clean test data (<see cref="PoisoningEvaluation"/>).</summary>
/// <param name="Accuracy">Accuracy on the test data.</param>
/// <param name="ClassAccuracy">Accuracy on each class's test records, indexed by class (NaN for a class without records).</param>
/// <param name="BackdoorSuccess">Share of stamped test records of other classes assigned to the target class; null without a trigger.</param>
public sealed record PoisoningOutcome(double Accuracy, IReadOnlyList<double> ClassAccuracy, double? BackdoorSuccess);
