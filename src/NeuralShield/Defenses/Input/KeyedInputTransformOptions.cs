namespace NeuralShield.Defenses.Input;

/// <summary>Settings of <see cref="KeyedInputTransform"/>.</summary>
public sealed class KeyedInputTransformOptions : OptionsBase<KeyedInputTransformOptions>
{
    /// <summary>The secret key's seed: it draws the permutation and the XOR bits. Keep it secret. Default 0.</summary>
    public long KeySeed { get; set; }

    /// <summary>Whether the features are permuted by the key (differentiable). Default true.</summary>
    public bool Permute { get; set; } = true;

    /// <summary>
    /// Whether the features are binarised (at <see cref="BinarizeThreshold"/> between the bounds) and XORed with the key's
    /// bits; the output takes the bound values only. Default false.
    /// </summary>
    public bool Xor { get; set; }

    /// <summary>Where in [0, 1] of the input range a feature binarises to the upper bound (when <see cref="Xor"/> is on). Default 0.5.</summary>
    public double BinarizeThreshold { get; set; } = 0.5;

    /// <summary>Share of features whose bit is flipped by the XOR key. Default 0.5.</summary>
    public double XorDensity { get; set; } = 0.5;

    /// <inheritdoc />
    protected override void Validate()
    {
        if (!Permute && !Xor) throw new ArgumentException("At least one of Permute and Xor must be on.", nameof(Permute));
        Guard.InRange(BinarizeThreshold, 0, 1, nameof(BinarizeThreshold));
        Guard.InRange(XorDensity, 0, 1, nameof(XorDensity));
    }
}
