using static TorchSharp.torch.nn;

namespace NeuralShield.Models;

/// <summary>The hidden-unit non-linearity of a zoo model.</summary>
public enum Activation
{
    /// <summary>max(0, z).</summary>
    ReLU,
    /// <summary>1 / (1 + e^−z).</summary>
    Sigmoid,
    /// <summary>tanh(z).</summary>
    Tanh,
}
