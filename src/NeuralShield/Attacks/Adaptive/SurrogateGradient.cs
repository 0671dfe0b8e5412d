namespace NeuralShield.Attacks.Adaptive;

/// <summary>How <see cref="StabilisedGradientClassifier"/> back-propagates through a saturating non-linearity.</summary>
public enum SurrogateGradient
{
    /// <summary>
    /// The exact derivative f'(z), computed in log space and rescaled per sample and layer so that it neither
    /// rounds to zero nor underflows: the input gradient keeps the true direction, up to a positive factor per sample.
    /// </summary>
    StableExact,

    /// <summary>BPDA straight-through: the non-linearity's slope at 0 everywhere (sigmoid 1/4, tanh 1).</summary>
    Linear,

    /// <summary>The derivative of the stretched non-linearity s·f(z/s) (<see cref="StabilisedGradientClassifier.SmoothingScale"/> s).</summary>
    Smoothed,
}
