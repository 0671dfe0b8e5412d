namespace NeuralShield.Attacks.Core;

/// <summary>The loss a gradient attack follows.</summary>
public enum GradientLoss
{
    /// <summary>
    /// Cross-entropy of softmax(logits): ascended on the true label (untargeted), descended on the target
    /// (targeted). Goodfellow et al. and Madry et al. use it.
    /// </summary>
    CrossEntropy,

    /// <summary>
    /// The logit margin of Carlini and Wagner (2017): max_{j≠y} Z_j − Z_y (untargeted) or Z_t − max_{j≠t} Z_j (targeted),
    /// ascended. Does not pass through the softmax, so it survives saturated outputs such as distillation's.
    /// </summary>
    LogitMargin,

    /// <summary>
    /// The difference-of-logits ratio of Croce and Hein (ICML 2020): −(Z_y − max_{j≠y} Z_j)/(Z_π1 − Z_π3) untargeted,
    /// −(max_{j≠t} Z_j − Z_t)/(Z_π1 − (Z_π3 + Z_π4)/2) targeted (π sorts the logits in decreasing order), ascended.
    /// The logit margin made invariant to shifting and rescaling the logits; needs at least 3 classes (4 targeted).
    /// </summary>
    Dlr,
}
