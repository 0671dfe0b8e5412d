using TorchSharp.Modules;

namespace NeuralShield.Attacks.Inference;

/// <summary>What is asked of a fitted property-inference attack: the decision threshold on the property probability.</summary>
/// <param name="Threshold">The target is said to have the property when the probability reaches it. Default 0.5.</param>
public sealed record PropertyQuery(double Threshold = 0.5)
{
    /// <summary>The default query (threshold 0.5).</summary>
    public static PropertyQuery Default { get; } = new();
}
