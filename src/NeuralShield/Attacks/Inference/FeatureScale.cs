namespace NeuralShield.Attacks.Inference;

/// <summary>How the attack model's probability features are scaled.</summary>
public enum FeatureScale
{
    /// <summary>The probabilities themselves.</summary>
    Probability,

    /// <summary>Each probability p as its logit log(p / (1 − p)) (floored at ±69), which spreads out the values near 0 and 1 where members and non-members differ.</summary>
    Logit,
}
