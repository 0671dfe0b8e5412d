using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="Fgsm"/>.</summary>
public sealed class FgsmOptions : OptionsBase<FgsmOptions>
{
    /// <summary>Step ε. Goodfellow et al.: 0.25 on MNIST in [0, 1] (0.1 on CIFAR-10).</summary>
    public double Epsilon { get; set; } = 0.25;

    /// <summary><see cref="Norm.LInf"/> (the paper's sign step) or <see cref="Norm.L2"/> (fast gradient method).</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>The loss followed. Default cross-entropy (the paper's J).</summary>
    public GradientLoss Loss { get; set; } = GradientLoss.CrossEntropy;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "FGSM supports the L∞ and L2 norms.");
        Guard.Defined(Loss, nameof(Loss));
    }
}
