namespace NeuralShield.Metrics;

/// <summary>What a poisoning run did to a training set and what it achieved, as plain numbers.</summary>
/// <param name="PoisonedCount">Training points changed (or added) by the attacker.</param>
/// <param name="PoisonFraction">PoisonedCount over the size of the training set.</param>
/// <param name="CleanAccuracy">Accuracy of the model trained on the poisoned set on clean test data, when measured.</param>
/// <param name="AttackSuccessRate">Share of the attacker's test inputs that show the target behaviour (triggered inputs classified as the target class), when measured.</param>
public readonly record struct PoisoningMetrics(int PoisonedCount, double PoisonFraction, double? CleanAccuracy = null, double? AttackSuccessRate = null);
