using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="Pgd"/>.</summary>
public sealed class PgdOptions : OptionsBase<PgdOptions>
{
    /// <summary>Radius ε of the perturbation ball. Madry et al.: 0.3 (L∞, MNIST in [0, 1]).</summary>
    public double Epsilon { get; set; } = 0.3;

    /// <summary>Step size α. Madry et al.: 0.01 on MNIST.</summary>
    public double StepSize { get; set; } = 0.01;

    /// <summary>Number of gradient steps. Madry et al.: 40 (evaluation) and 100.</summary>
    public int Steps { get; set; } = 40;

    /// <summary>The norm of the ball: <see cref="Norm.LInf"/> (sign steps) or <see cref="Norm.L2"/> (normalised gradient steps).</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>Start from a uniformly random point of the ball (Madry et al.) instead of the input.</summary>
    public bool RandomStart { get; set; } = true;

    /// <summary>Freeze each sample as soon as it meets the goal (saves work; Madry et al. run all steps).</summary>
    public bool EarlyStop { get; set; }

    /// <summary>The loss followed. Default cross-entropy.</summary>
    public GradientLoss Loss { get; set; } = GradientLoss.CrossEntropy;

    /// <summary>Seed of the random start.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        Guard.PositiveFloat32(StepSize, nameof(StepSize));
        Guard.Positive(Steps, nameof(Steps));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "PGD supports the L∞ and L2 balls.");
        Guard.Defined(Loss, nameof(Loss));
    }
}
