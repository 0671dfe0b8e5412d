namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="UniversalPerturbation"/>.</summary>
public sealed class UniversalPerturbationOptions : OptionsBase<UniversalPerturbationOptions>
{
    /// <summary>The search: the paper's <see cref="UniversalSearch.DeepFoolLoop"/> (default) or <see cref="UniversalSearch.ProjectedGradient"/>.</summary>
    public UniversalSearch Search { get; set; } = UniversalSearch.DeepFoolLoop;

    /// <summary>
    /// Radius ξ of the ball the perturbation v is projected onto, in the model's input units. The reference code
    /// uses ξ = 10 on 0–255 pixels (L∞); for a model on [0, 1] pixels that is 10/255 ≈ 0.039, the default here.
    /// In general ξ_model = ξ_pixels · (Upper − Lower) / 255 for a model whose bounds map the 0–255 range.
    /// </summary>
    public double Xi { get; set; } = 10.0 / 255.0;

    /// <summary>The ball of the projection P_{p,ξ}: <see cref="Norm.LInf"/> (reference default) or <see cref="Norm.L2"/>.</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>Desired fooling rate 1 − δ: fitting stops once the fooling rate on the fitting set reaches it. Paper: δ = 0.2.</summary>
    public double Delta { get; set; } = 0.2;

    /// <summary>
    /// Most passes over the data. The reference code has no limit (it loops until the fooling rate reaches 1 − δ);
    /// a finite default keeps a run bounded when 1 − δ is out of reach at radius ξ. Default 10.
    /// </summary>
    public int MaxPasses { get; set; } = 10;

    /// <summary>DeepFool overshoot η. Reference code: 0.02.</summary>
    public double Overshoot { get; set; } = 0.02;

    /// <summary>Most DeepFool steps for each data point. Reference code: 10.</summary>
    public int MaxDeepFoolIterations { get; set; } = 10;

    /// <summary>DeepFool candidate classes (top classes by logit). Reference code: 10.</summary>
    public int CandidateClasses { get; set; } = 10;

    /// <summary>
    /// <see cref="UniversalSearch.DeepFoolLoop"/> only: data points handed to DeepFool at once. 1 is the reference
    /// code's order exactly: each point is checked and attacked at the v updated by all points before it. With
    /// B &gt; 1 (default 32), v is fixed within a mini-batch of B consecutive shuffled points: those not fooled by
    /// it run DeepFool together at x_i + v, and the Δv_i of those whose label changed are then folded into v one by
    /// one, in the mini-batch's order, each followed by the projection, v ← P_{p,ξ}(v + Δv_i) — the reference's
    /// sequence of updates, except that Δv_i is computed at the v of the start of its mini-batch and a point fooled
    /// by an earlier update of the same mini-batch still adds its own. (Adding the mean of the mini-batch's Δv_i
    /// instead fooled fewer points on MNIST.)
    /// </summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Seed of the shuffle of the data at each pass (pass p uses Seed + p − 1).</summary>
    public long Seed { get; set; }

    /// <summary>
    /// <see cref="UniversalSearch.ProjectedGradient"/> only: the step α of each mini-batch update, in input units
    /// (L∞: per entry; L2: the length of the step). Null (default): ξ / 20.
    /// </summary>
    public double? StepSize { get; set; }

    /// <summary><see cref="UniversalSearch.ProjectedGradient"/> only: passes (epochs) over the fitting set. Default 20.</summary>
    public int Epochs { get; set; } = 20;

    /// <summary><see cref="UniversalSearch.ProjectedGradient"/> only: points per gradient step. Default 64.</summary>
    public int GradientBatchSize { get; set; } = 64;

    /// <summary>
    /// <see cref="UniversalSearch.ProjectedGradient"/> only: the clamp κ of the logit-margin loss; a point fooled
    /// by a margin of κ or more no longer contributes to the gradient. Default 1.
    /// </summary>
    public double Kappa { get; set; } = 1.0;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(Xi, nameof(Xi));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "The projection supports the L∞ and L2 balls.");
        if (!(Delta > 0 && Delta < 1)) throw new ArgumentOutOfRangeException(nameof(Delta), Delta, "Delta must lie strictly between 0 and 1 (the target fooling rate is 1 − Delta).");
        Guard.Positive(MaxPasses, nameof(MaxPasses));
        Guard.NonNegative(Overshoot, nameof(Overshoot));
        Guard.Positive(MaxDeepFoolIterations, nameof(MaxDeepFoolIterations));
        if (CandidateClasses < 2) throw new ArgumentOutOfRangeException(nameof(CandidateClasses), CandidateClasses, "CandidateClasses must be at least 2.");
        Guard.Positive(BatchSize, nameof(BatchSize));
        if (!Enum.IsDefined(Search)) throw new ArgumentOutOfRangeException(nameof(Search), Search, "Unknown search.");
        if (StepSize is { } step) Guard.Positive(step, nameof(StepSize));
        Guard.Positive(Epochs, nameof(Epochs));
        Guard.Positive(GradientBatchSize, nameof(GradientBatchSize));
        Guard.NonNegative(Kappa, nameof(Kappa));
    }
}
