namespace NeuralShield.Recording;

/// <summary>Settings of <see cref="RecordingEvaluation"/>.</summary>
public sealed class RecordingOptions : OptionsBase<RecordingOptions>
{
    /// <inheritdoc />
    public override RecordingOptions Copy()
    {
        var copy = (RecordingOptions)MemberwiseClone();
        copy.Repetitions = [.. Repetitions];
        return copy;
    }

    /// <summary>Bits of each canary's secret (|R| = 2^bits). Default 12.</summary>
    public int Bits { get; set; } = 12;

    /// <summary>Canaries inserted (one per class, so at most the class count). Default 10.</summary>
    public int Canaries { get; set; } = 10;

    /// <summary>Times each canary appears in the stream: one stream (and one exposure curve) per count. Default 1, 4, 16, 64.</summary>
    public IReadOnlyList<int> Repetitions { get; set; } = [1, 4, 16, 64];

    /// <summary>Times each canary appears in the off-line training set. Default 16.</summary>
    public int OfflineRepetitions { get; set; } = 16;

    /// <summary>Points per update of the on-line learner. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Learning rate of the on-line updates (SGD). Default 0.05.</summary>
    public double LearningRate { get; set; } = 0.05;

    /// <summary>Exposure is measured after every this many updates. Default 25.</summary>
    public int MeasureEvery { get; set; } = 25;

    /// <summary>Epochs of the off-line training of the deployed model before the stream. Default 3.</summary>
    public int PretrainEpochs { get; set; } = 3;

    /// <summary>DP-SGD noise multiplier σ of the private updates. Default 1.0.</summary>
    public double NoiseMultiplier { get; set; } = 1.0;

    /// <summary>DP-SGD clipping norm C. Default 1.0.</summary>
    public double ClipNorm { get; set; } = 1.0;

    /// <summary>Epochs of the off-line models trained with the canaries in their training set. Default 10.</summary>
    public int OfflineEpochs { get; set; } = 10;

    /// <summary>ε the off-line DP-SGD model is calibrated to (per record). Default 2.</summary>
    public double OfflineEpsilon { get; set; } = 2.0;

    /// <summary>δ of the stated ε. Default 1e-5.</summary>
    public double Delta { get; set; } = 1e-5;

    /// <summary>Seed of the model, the stream order, the secrets and the noise. Default 0.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(Canaries, nameof(Canaries));
        if (Repetitions is null || Repetitions.Count == 0 || Repetitions.Any(r => r < 1))
            throw new ArgumentException("expected at least one repetition count, each at least 1", nameof(Repetitions));
        Guard.Positive(OfflineRepetitions, nameof(OfflineRepetitions));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.Positive(MeasureEvery, nameof(MeasureEvery));
        Guard.NonNegative(PretrainEpochs, nameof(PretrainEpochs));
        Guard.Positive(NoiseMultiplier, nameof(NoiseMultiplier));
        Guard.Positive(OfflineEpochs, nameof(OfflineEpochs));
        Guard.Positive(OfflineEpsilon, nameof(OfflineEpsilon));
        Guard.Positive(ClipNorm, nameof(ClipNorm));
        Guard.InRange(Delta, 1e-12, 0.1, nameof(Delta));
        if (Bits < 4 || Bits > 16) throw new ArgumentOutOfRangeException(nameof(Bits), Bits, "expected 4 to 16 bits");
    }
}
