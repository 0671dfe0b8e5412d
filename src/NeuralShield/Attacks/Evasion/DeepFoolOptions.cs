namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="DeepFool"/> and of its building block <see cref="DeepFoolSearch"/>.</summary>
public sealed class DeepFoolOptions : OptionsBase<DeepFoolOptions>
{
    /// <summary>
    /// The norm p in which the perturbation is minimised: <see cref="Norm.L2"/> (the paper's main variant, p = 2)
    /// or <see cref="Norm.LInf"/> (p = ∞, steps along sign(w)). Default L2.
    /// </summary>
    public Norm Norm { get; set; } = Norm.L2;

    /// <summary>Overshoot η: the final perturbation is (1 + η)·Σ r_i. Paper and reference code: 0.02.</summary>
    public double Overshoot { get; set; } = 0.02;

    /// <summary>Most linearisation steps per sample. Reference code: 50 (the universal-perturbation code uses 10).</summary>
    public int MaxIterations { get; set; } = 50;

    /// <summary>
    /// Number of candidate classes: the label and the classes with the next-highest logits at the starting point
    /// (fixed for the whole run). Reference code: 10 (capped at the model's class count).
    /// </summary>
    public int CandidateClasses { get; set; } = 10;

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Norm is not (Norm.L2 or Norm.LInf)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "DeepFool supports p = 2 (L2) and p = ∞ (LInf).");
        Guard.NonNegative(Overshoot, nameof(Overshoot));
        Guard.Positive(MaxIterations, nameof(MaxIterations));
        if (CandidateClasses < 2) throw new ArgumentOutOfRangeException(nameof(CandidateClasses), CandidateClasses, "CandidateClasses must be at least 2 (the current class and one other).");
    }
}
