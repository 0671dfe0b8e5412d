namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Settings of <see cref="CarliniWagnerL2"/>. The defaults are the authors' MNIST run (nn_robust_attacks' test_attack.py):
/// κ = 0, c₀ = 10⁻³, 9 binary-search steps, 1,000 Adam iterations per step at learning rate 10⁻², early abort.
/// </summary>
public sealed class CarliniWagnerOptions : OptionsBase<CarliniWagnerOptions>
{
    /// <summary>The confidence κ: the logit margin the adversarial must reach (0: just across the boundary). Paper: 0 for the minimal perturbations, 20–40 for transfer.</summary>
    public double Confidence { get; set; }

    /// <summary>The first c of every sample's binary search (the weight of the margin term against ‖δ‖₂²). Paper: 10⁻³.</summary>
    public double InitialConst { get; set; } = 1e-3;

    /// <summary>Binary-search steps over c per sample (each a fresh optimisation from δ = 0). Paper: 9 (20 in its tables).</summary>
    public int BinarySearchSteps { get; set; } = 9;

    /// <summary>Adam iterations per binary-search step, each one forward and one backward pass. Authors' MNIST run: 1,000 (the code's default 10,000).</summary>
    public int MaxIterations { get; set; } = 1000;

    /// <summary>Adam's learning rate in the tanh space. Paper: 10⁻².</summary>
    public double LearningRate { get; set; } = 1e-2;

    /// <summary>
    /// Stop a sample's optimisation at a check (every ⌈<see cref="MaxIterations"/>/10⌉ iterations) where its loss fell by
    /// less than 0.01% since the previous check, as the authors' code does for the batch; the run of a binary-search step
    /// ends when every sample has stopped.
    /// </summary>
    public bool AbortEarly { get; set; } = true;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.NonNegative(Confidence, nameof(Confidence));
        Guard.Positive(InitialConst, nameof(InitialConst));
        Guard.Positive(BinarySearchSteps, nameof(BinarySearchSteps));
        Guard.Positive(MaxIterations, nameof(MaxIterations));
        Guard.PositiveFloat32(LearningRate, nameof(LearningRate));
    }
}
