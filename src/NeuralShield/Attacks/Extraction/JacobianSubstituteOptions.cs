namespace NeuralShield.Attacks.Extraction;

/// <summary>Settings of <see cref="JacobianSubstitute"/>, with the paper's values as defaults.</summary>
public sealed class JacobianSubstituteOptions : OptionsBase<JacobianSubstituteOptions>
{
    /// <summary>
    /// The substitute's architecture and training per round. Null: the reference tutorial's substitute, an MLP
    /// (flatten, 200, 200, ReLU) over the seed inputs' features, trained 10 epochs per round with Adam (learning rate
    /// 1e-3, batch 128), weights seeded by <see cref="Seed"/>, on the oracle's device and bounds.
    /// </summary>
    public ModelRecipe? Substitute { get; set; }

    /// <summary>ρ, the substitute training rounds ("substitute epochs"); the set is augmented between rounds (ρ − 1 times). Paper: 6. Default 6.</summary>
    public int Rounds { get; set; } = 6;

    /// <summary>λ, the step of the augmentation x + λ·sign(J). Paper: 0.1. Default 0.1.</summary>
    public double Lambda { get; set; } = 0.1;

    /// <summary>
    /// τ, the period of the step's sign: the augmentation after round ρ uses λ·(−1)^⌊ρ/τ⌋ (the paper's periodic step
    /// size). The reference tutorial flips after 3 rounds. Default 3.
    /// </summary>
    public int SignPeriod { get; set; } = 3;

    /// <summary>The sign of the step for the first τ rounds. Default <see cref="SubstituteStepSign.Positive"/> (the paper's formula).</summary>
    public SubstituteStepSign FirstSign { get; set; } = SubstituteStepSign.Positive;

    /// <summary>
    /// κ, reservoir sampling (paper §6): after <see cref="ReservoirStart"/> full augmentations, each further augmentation
    /// adds only κ new points, made from κ points drawn uniformly at random from the current set. Null: off (every
    /// point gets a child each round). Default null.
    /// </summary>
    public int? ReservoirSize { get; set; }

    /// <summary>σ, the number of full augmentations before reservoir sampling starts (when <see cref="ReservoirSize"/> is set). Default 3.</summary>
    public int ReservoirStart { get; set; } = 3;

    /// <summary>Whether the substitute is retrained from scratch each round (default, Algorithm 1) or continues.</summary>
    public SubstituteTraining Training { get; set; } = SubstituteTraining.Retrain;

    /// <summary>Which output is differentiated for the augmentation. Default <see cref="SubstituteGradient.Probabilities"/> (the paper's J_F).</summary>
    public SubstituteGradient Gradient { get; set; } = SubstituteGradient.Probabilities;

    /// <summary>Samples per oracle call and per Jacobian batch. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Seed of the default substitute's weights and of the reservoir draws. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>
    /// Optional measurement of the substitute after each round (e.g. its accuracy on held-out test data); it must not
    /// query the oracle. Recorded in <see cref="SubstituteRound.Evaluation"/>.
    /// </summary>
    public Func<IDifferentiableClassifier, double>? RoundEvaluation { get; set; }

    /// <inheritdoc />
    public override JacobianSubstituteOptions Copy()
    {
        var copy = (JacobianSubstituteOptions)MemberwiseClone();
        copy.Substitute = Substitute?.Copy();
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(Rounds, nameof(Rounds));
        Guard.PositiveFloat32(Lambda, nameof(Lambda));
        Guard.Positive(SignPeriod, nameof(SignPeriod));
        if (ReservoirSize is { } kappa) Guard.Positive(kappa, nameof(ReservoirSize));
        Guard.NonNegative(ReservoirStart, nameof(ReservoirStart));
        Guard.Defined(FirstSign, nameof(FirstSign));
        Guard.Defined(Training, nameof(Training));
        Guard.Defined(Gradient, nameof(Gradient));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Substitute = Substitute?.Validated();
    }
}
