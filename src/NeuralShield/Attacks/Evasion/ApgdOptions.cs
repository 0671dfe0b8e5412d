using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="Apgd"/>. The defaults are AutoAttack's APGD-CE (L∞, ε = 0.3 for MNIST).</summary>
public sealed class ApgdOptions : OptionsBase<ApgdOptions>
{
    /// <summary>Radius ε of the ball. AutoAttack's MNIST setting: 0.3 (L∞).</summary>
    public double Epsilon { get; set; } = 0.3;

    /// <summary>The norm of the ball: <see cref="Norm.LInf"/> or <see cref="Norm.L2"/>.</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>Iterations per run N_iter (one forward and one backward each, times <see cref="EotIterations"/>). AutoAttack: 100.</summary>
    public int Steps { get; set; } = 100;

    /// <summary>
    /// Runs from fresh random starts, each on the samples no earlier run has fooled. AutoAttack standard: 1 (APGD-CE
    /// and each target of APGD-T); the paper's stand-alone APGD: 5.
    /// </summary>
    public int Restarts { get; set; } = 1;

    /// <summary>
    /// The loss ascended: <see cref="GradientLoss.CrossEntropy"/> (APGD-CE), <see cref="GradientLoss.Dlr"/> (APGD-DLR,
    /// and APGD-T with <see cref="TargetClasses"/>) or <see cref="GradientLoss.LogitMargin"/>.
    /// </summary>
    public GradientLoss Loss { get; set; } = GradientLoss.CrossEntropy;

    /// <summary>
    /// APGD-T: for an untargeted goal, attack each of the <see cref="TargetClasses"/> classes ranked highest after the true one
    /// at the clean input in turn with the targeted form of <see cref="Loss"/> (the targeted DLR loss with the true label in
    /// AutoAttack), each on the samples still not fooled; a sample counts as fooled by any wrong prediction. AutoAttack
    /// standard: 9 on 10 classes. Null (the default): the loss is ascended on the goal's labels directly.
    /// </summary>
    public int? TargetClasses { get; set; }

    /// <summary>The threshold ρ of the step-size checkpoints: halve the step when the loss rose in at most ρ of the steps since the last checkpoint. 0.75.</summary>
    public double Rho { get; set; } = 0.75;

    /// <summary>
    /// Gradients averaged per iteration (expectation over transformation, for randomised defenses; AutoAttack's
    /// <c>rand</c> version: 20). 1 for a deterministic model.
    /// </summary>
    public int EotIterations { get; set; } = 1;

    /// <summary>Seed of the random starts.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "APGD supports the L∞ and L2 balls.");
        Guard.Positive(Steps, nameof(Steps));
        Guard.Positive(Restarts, nameof(Restarts));
        Guard.Defined(Loss, nameof(Loss));
        if (TargetClasses is { } t) Guard.Positive(t, nameof(TargetClasses));
        if (!(Rho > 0 && Rho < 1)) throw new ArgumentOutOfRangeException(nameof(Rho), Rho, "Rho must lie strictly between 0 and 1.");
        Guard.Positive(EotIterations, nameof(EotIterations));
    }
}
