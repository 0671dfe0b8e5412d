namespace NeuralShield.Attacks.Fooling;

/// <summary>Where a fooling search starts.</summary>
public enum FoolingStart
{
    /// <summary>Every feature drawn uniformly from the model's bounds (Nguyen et al.'s start).</summary>
    UniformNoise,

    /// <summary>Every feature at the lower bound (a black image for pixels in [0, 1]).</summary>
    Blank,

    /// <summary>Every feature at the middle of the bounds (a uniform grey image).</summary>
    Gray,
}
