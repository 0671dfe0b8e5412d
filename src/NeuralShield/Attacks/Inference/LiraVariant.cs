namespace NeuralShield.Attacks.Inference;

/// <summary>Which LiRA test is made.</summary>
public enum LiraVariant
{
    /// <summary>The likelihood ratio of the "in" Gaussian to the "out" Gaussian (needs shadows trained with each candidate).</summary>
    Online,

    /// <summary>A one-sided test against the "out" Gaussian only: how far above the out mean, in out standard deviations.</summary>
    Offline,
}
