namespace NeuralShield.Attacks.Inference;

/// <summary>How LiRA estimates the variances of its Gaussians.</summary>
public enum LiraVariance
{
    /// <summary>Global with fewer than 64 shadows, per example otherwise (the paper's advice).</summary>
    Auto,

    /// <summary>Each example's own variance over its shadows.</summary>
    PerExample,

    /// <summary>One variance for all examples (per side): the within-example variances pooled over the examples.</summary>
    Global,
}
