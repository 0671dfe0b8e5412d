namespace NeuralShield.Attacks.Inference;

/// <summary>Settings of <see cref="Lira"/>.</summary>
public sealed class LiraOptions : OptionsBase<LiraOptions>, IShadowAttackOptions
{
    /// <summary>The shadow models: <see cref="ShadowSampling.RandomHalves"/> of the attacker's pool (checked). Carlini et al. use 64–256; 16 already works with a global variance.</summary>
    public required ShadowTrainingOptions Shadows { get; set; }

    /// <summary>The test <see cref="FittedLira.Infer(IClassifier, LabeledData, CancellationToken)"/> makes. Default online.</summary>
    public LiraVariant Variant { get; set; } = LiraVariant.Online;

    /// <summary>Variance estimate. Default <see cref="LiraVariance.Auto"/>.</summary>
    public LiraVariance Variance { get; set; } = LiraVariance.Auto;

    /// <summary>Records per query. Default 1024.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <inheritdoc />
    public override LiraOptions Copy()
    {
        var copy = (LiraOptions)MemberwiseClone();
        copy.Shadows = Shadows?.Copy()!;
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Shadows is null) throw new ArgumentException("Shadows must be set: how the shadow models are made.", nameof(Shadows));
        Shadows = Shadows.Validated();
        if (Shadows.Sampling != ShadowSampling.RandomHalves)
            throw new ArgumentException($"LiRA's shadows must use RandomHalves sampling (each record in half of them); got {Shadows.Sampling}.", nameof(Shadows));
        Guard.Defined(Variant, nameof(Variant));
        Guard.Defined(Variance, nameof(Variance));
        Guard.Positive(BatchSize, nameof(BatchSize));
    }
}
