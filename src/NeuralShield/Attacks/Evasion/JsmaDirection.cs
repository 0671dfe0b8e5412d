namespace NeuralShield.Attacks.Evasion;

/// <summary>Which way <see cref="Jsma"/> moves the features it picks (the sign of the paper's θ).</summary>
public enum JsmaDirection
{
    /// <summary>θ = +1: chosen features are set to the upper bound (the paper's MNIST experiments).</summary>
    Increase,

    /// <summary>θ = −1: chosen features are set to the lower bound.</summary>
    Decrease,
}
