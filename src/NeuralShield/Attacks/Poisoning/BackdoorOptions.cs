namespace NeuralShield.Attacks.Poisoning;

/// <summary>Settings of <see cref="BackdoorPoisoning"/>.</summary>
public sealed class BackdoorOptions : OptionsBase<BackdoorOptions>
{
    /// <summary>The class triggered inputs are to be assigned. Default 0.</summary>
    public int TargetClass { get; set; }

    /// <summary>Share of the whole training set to poison (taken from the other classes). Gu et al.'s MNIST runs: about 10%. Default 0.05. Ignored when <see cref="Budget"/> is set.</summary>
    public double Fraction { get; set; } = 0.05;

    /// <summary>The number of points to poison exactly; null: <see cref="Fraction"/>.</summary>
    public int? Budget { get; set; }

    /// <summary>Seed of the choice of points.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.NonNegative(TargetClass, nameof(TargetClass));
        Guard.InRange(Fraction, 0, 1, nameof(Fraction));
        if (Budget is { } b) Guard.NonNegative(b, nameof(Budget));
    }
}
