using TorchSharp.Modules;

namespace NeuralShield.Attacks.Inference;

/// <summary>The attack's answer for one target.</summary>
/// <param name="Probability">The meta-classifier's probability that the target's training data has the property.</param>
/// <param name="HasProperty">Whether the probability reaches the query's threshold.</param>
public readonly record struct PropertyInferenceResult(double Probability, bool HasProperty);
