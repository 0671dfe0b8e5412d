namespace NeuralShield.Models;

/// <summary>The kind of a hidden non-linearity found in a sequential model.</summary>
public enum ActivationKind
{
    /// <summary>The logistic sigmoid.</summary>
    Sigmoid,

    /// <summary>The rectified linear unit.</summary>
    ReLU,

    /// <summary>The hyperbolic tangent.</summary>
    Tanh,
}
