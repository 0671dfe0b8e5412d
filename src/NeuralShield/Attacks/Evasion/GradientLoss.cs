using static TorchSharp.torch;

namespace NeuralShield.Attacks.Evasion;

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
}

internal static class GradientLossMath
{
    /// <summary>A scalar to ASCEND for the goal: the sum over samples of each sample's attack objective.</summary>
    public static Tensor Objective(GradientLoss loss, Tensor logits, Tensor labels, bool targeted)
    {
        switch (loss)
        {
            case GradientLoss.CrossEntropy:
                var ce = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum);
                return targeted ? -ce : ce;
            case GradientLoss.LogitMargin:
                var own = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
                using (var index = labels.unsqueeze(1))
                using (var mask = zeros_like(logits, dtype: ScalarType.Bool).scatter_(1, index, ones_like(index, dtype: ScalarType.Bool)))
                {
                    var others = logits.masked_fill(mask, float.NegativeInfinity).amax(1);
                    return (targeted ? own - others : others - own).sum();
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }
    }
}
