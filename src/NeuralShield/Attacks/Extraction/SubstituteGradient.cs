namespace NeuralShield.Attacks.Extraction;

/// <summary>Which output of the substitute the Jacobian-based augmentation differentiates.</summary>
public enum SubstituteGradient
{
    /// <summary>The softmax output F(x)[Õ(x)], as the paper writes J_F (Papernot et al. 2017, Algorithm 1).</summary>
    Probabilities,

    /// <summary>The logit Z(x)[Õ(x)], as the cleverhans reference tutorial computes it.</summary>
    Logits,
}
