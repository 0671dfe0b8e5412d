namespace NeuralShield.Attacks.Poisoning;

/// <summary>Settings of <see cref="LabelFlipping"/>.</summary>
public sealed class LabelFlipOptions : OptionsBase<LabelFlipOptions>
{
    /// <summary>Which points are eligible and what they become. Default <see cref="LabelFlipMode.AnyClass"/>.</summary>
    public LabelFlipMode Mode { get; set; } = LabelFlipMode.AnyClass;

    /// <summary>
    /// Share of the eligible points to flip (all points for <see cref="LabelFlipMode.AnyClass"/>, the points of
    /// <see cref="SourceClass"/> for <see cref="LabelFlipMode.ClassPair"/>), rounded to the nearest count. Default 0.1.
    /// Ignored when <see cref="Budget"/> is set.
    /// </summary>
    public double Fraction { get; set; } = 0.1;

    /// <summary>The number of labels to flip exactly (the attacker's budget in points); null: <see cref="Fraction"/>.</summary>
    public int? Budget { get; set; }

    /// <summary>The class a of a → b flips. Default 0.</summary>
    public int SourceClass { get; set; }

    /// <summary>The class b of a → b flips. Default 1.</summary>
    public int TargetClass { get; set; } = 1;

    /// <summary>How the points are chosen. Default <see cref="FlipSelection.Random"/>; <see cref="FlipSelection.NearestBoundary"/> needs a surrogate.</summary>
    public FlipSelection Selection { get; set; } = FlipSelection.Random;

    /// <summary>Seed of the random choices.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Defined(Mode, nameof(Mode));
        Guard.Defined(Selection, nameof(Selection));
        Guard.InRange(Fraction, 0, 1, nameof(Fraction));
        if (Budget is { } b) Guard.NonNegative(b, nameof(Budget));
        Guard.NonNegative(SourceClass, nameof(SourceClass));
        Guard.NonNegative(TargetClass, nameof(TargetClass));
        if (Mode == LabelFlipMode.ClassPair && SourceClass == TargetClass)
            throw new ArgumentException($"SourceClass and TargetClass must differ; both are {SourceClass}.", nameof(TargetClass));
    }
}
