namespace NeuralShield.Training;

/// <summary>Settings of an <see cref="OnlineLearner"/>.</summary>
public sealed class OnlineLearnerOptions : OptionsBase<OnlineLearnerOptions>
{
    /// <summary>Learning rate of the incremental updates. Default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>
    /// The optimiser. Default <see cref="OptimizerKind.Sgd"/> (with <see cref="Momentum"/> 0 it keeps no state, so an
    /// update a guard refuses is undone exactly by restoring the parameters; Adam's moment estimates are not rolled back).
    /// </summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

    /// <summary>SGD momentum. Default 0.</summary>
    public double Momentum { get; set; }

    /// <summary>L2 weight decay. Default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>How many updates count as one "epoch" in the <see cref="StepContext"/> a step reads (for schedules). Default 100.</summary>
    public int StepsPerEpoch { get; set; } = 100;

    /// <summary>Points per update: admitted points are buffered (from any sources, oldest first) and learned in batches of this size. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Seed handed to stochastic steps through <see cref="StepContext.Seed"/>.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.Defined(Optimizer, nameof(Optimizer));
        Guard.InRange(Momentum, 0, 1, nameof(Momentum));
        Guard.NonNegative(WeightDecay, nameof(WeightDecay));
        Guard.Positive(StepsPerEpoch, nameof(StepsPerEpoch));
        Guard.Positive(BatchSize, nameof(BatchSize));
    }
}
