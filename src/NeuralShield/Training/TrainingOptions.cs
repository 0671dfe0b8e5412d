namespace NeuralShield.Training;

/// <summary>The optimiser a <see cref="Trainer"/> uses.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba 2015).</summary>
    Adam,
    /// <summary>Stochastic gradient descent with momentum.</summary>
    Sgd,
}

/// <summary>How a <see cref="Trainer"/> changes the learning rate over a run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The learning rate stays at <see cref="TrainingOptions.LearningRate"/>.</summary>
    Constant,
    /// <summary>
    /// Cosine annealing without restarts (Loshchilov and Hutter 2017, arXiv 1608.03983): at step t of T planned steps
    /// (epochs × batches per epoch) the rate is LearningRate · (1 + cos(π t / T)) / 2, set before each mini-batch, so it
    /// falls from LearningRate to nearly 0 by the last step.
    /// </summary>
    Cosine,
}

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

/// <summary>One epoch of a training run.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training objective over the epoch.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation data, when given.</param>
/// <param name="Elapsed">Time since training started.</param>
public readonly record struct EpochReport(int Epoch, double TrainLoss, double? ValidationAccuracy, TimeSpan Elapsed);

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="Epochs">Per-epoch reports, in order.</param>
/// <param name="BestEpoch">The epoch whose weights the model holds (the last, unless early stopping restored an earlier one).</param>
/// <param name="StoppedEarly">Whether early stopping ended the run.</param>
/// <param name="Elapsed">Total training time.</param>
public sealed record TrainingResult(IReadOnlyList<EpochReport> Epochs, int BestEpoch, bool StoppedEarly, TimeSpan Elapsed);
