using MathNet.Numerics;

namespace NeuralShield.Privacy;

/// <summary>An (ε, δ) guarantee and the Rényi order that gave it.</summary>
/// <param name="Epsilon">The privacy loss ε (non-negative; +∞ when no order gives a finite bound).</param>
/// <param name="Delta">The failure probability δ it holds for.</param>
/// <param name="Order">The Rényi order α at which the conversion was tightest.</param>
public readonly record struct PrivacySpent(double Epsilon, double Delta, double Order);
