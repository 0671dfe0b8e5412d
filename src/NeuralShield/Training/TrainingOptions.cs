namespace NeuralShield.Training;

/// <summary>Settings of a training run; validated when a <see cref="Trainer"/> is made from them.</summary>
public sealed class TrainingOptions : OptionsBase<TrainingOptions>
{
    /// <summary>Passes over the training data. Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Mini-batch size. Default 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Learning rate. Default 1e-3 (Adam).</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Optimiser. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>How the learning rate changes over the run. Default <see cref="LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>SGD momentum. Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>L2 weight decay. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Seed of the batch order (weights are seeded by the model factory). Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>
    /// Stop when validation accuracy has not improved for this many epochs (needs validation data);
    /// the best epoch's weights are restored. Null: no early stop.
    /// </summary>
    public int? EarlyStopPatience { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(Epochs, nameof(Epochs));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.InRange(Momentum, 0, 1, nameof(Momentum));
        Guard.NonNegative(WeightDecay, nameof(WeightDecay));
        if (EarlyStopPatience is { } p) Guard.Positive(p, nameof(EarlyStopPatience));
        Guard.Defined(Optimizer, nameof(Optimizer));
        Guard.Defined(Schedule, nameof(Schedule));
    }
}
