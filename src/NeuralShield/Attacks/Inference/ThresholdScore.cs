namespace NeuralShield.Attacks.Inference;

/// <summary>The per-record statistics of a prediction vector that the threshold attacks score.</summary>
public enum ThresholdScore
{
    /// <summary>Minus the cross-entropy loss, log p_y (Yeom et al. 2018).</summary>
    Loss,

    /// <summary>The largest probability, max_j p_j (Salem et al. 2019; Song and Mittal 2021).</summary>
    Confidence,

    /// <summary>Minus the entropy of the prediction vector, Σ p_j log p_j (Salem et al. 2019).</summary>
    Entropy,

    /// <summary>
    /// Minus Song and Mittal's modified entropy, −[−(1 − p_y) log p_y − Σ_{j≠y} p_j log(1 − p_j)], which, unlike the
    /// entropy, is monotone in the true class's probability and uses the label.
    /// </summary>
    ModifiedEntropy,
}
