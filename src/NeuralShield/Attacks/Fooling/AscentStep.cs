namespace NeuralShield.Attacks.Fooling;

/// <summary>How a gradient-ascent step turns the gradient into an update.</summary>
public enum AscentStep
{
    /// <summary>x ← x + α·sign(∇): a fixed L∞ step per feature, insensitive to the gradient's scale.</summary>
    Sign,

    /// <summary>x ← x + α·∇/‖∇‖₂: a fixed L2 step per sample.</summary>
    NormalisedGradient,

    /// <summary>x ← x + α·∇: the plain gradient step of Simonyan et al. and Nguyen et al.; α depends on the model's scale.</summary>
    Gradient,
}
