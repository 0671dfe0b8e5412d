namespace NeuralShield.Attacks.Extraction;

/// <summary>The sign of the augmentation step during the first τ rounds.</summary>
public enum SubstituteStepSign
{
    /// <summary>+λ first: λ_ρ = λ·(−1)^⌊ρ/τ⌋, as the paper writes the periodic step size (the children move up the gradient of the oracle label's output).</summary>
    Positive,

    /// <summary>
    /// −λ first: λ_ρ = −λ·(−1)^⌊ρ/τ⌋ (the children move down that gradient, toward the substitute's decision boundary). For
    /// ρ ≤ 7 rounds this is the cleverhans tutorial's schedule (−λ for the augmentations after rounds 0–2, +λ after 3–5).
    /// </summary>
    Negative,
}
