namespace NeuralShield.Attacks.Poisoning;

/// <summary>Settings of <see cref="CleanLabelBackdoor"/>.</summary>
public sealed class CleanLabelBackdoorOptions : OptionsBase<CleanLabelBackdoorOptions>
{
    /// <summary>The class whose images are poisoned (with their labels kept) and to which triggered inputs are to be assigned. Default 0.</summary>
    public int TargetClass { get; set; }

    /// <summary>Share of the target class's training images to poison. Turner et al. poison a share of one class's images (CIFAR-10). Default 0.5. Ignored when <see cref="Budget"/> is set.</summary>
    public double Fraction { get; set; } = 0.5;

    /// <summary>The number of target-class images to poison exactly; null: <see cref="Fraction"/>.</summary>
    public int? Budget { get; set; }

    /// <summary>L∞ radius of the PGD perturbation on the surrogate. Turner et al.: 8, 16 or 32 on 0–255 CIFAR pixels; default 0.3 for MNIST in [0, 1] (Madry et al.'s budget).</summary>
    public double Epsilon { get; set; } = 0.3;

    /// <summary>PGD step size. Default 0.01 (Madry et al.'s MNIST step).</summary>
    public double StepSize { get; set; } = 0.01;

    /// <summary>PGD steps. Default 40.</summary>
    public int Steps { get; set; } = 40;

    /// <summary>Seed of the choice of images and of PGD's random start.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.NonNegative(TargetClass, nameof(TargetClass));
        Guard.InRange(Fraction, 0, 1, nameof(Fraction));
        if (Budget is { } b) Guard.NonNegative(b, nameof(Budget));
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        Guard.PositiveFloat32(StepSize, nameof(StepSize));
        Guard.Positive(Steps, nameof(Steps));
    }
}
