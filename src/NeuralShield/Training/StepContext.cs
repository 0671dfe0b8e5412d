namespace NeuralShield.Training;

/// <summary>
/// Where a <see cref="Trainer"/> is in its run when it hands a mini-batch to an <see cref="ITrainingStep"/>: the model
/// and optimiser, the epoch (1-based), the global step (0-based, counted over the whole run), the step within the
/// epoch and how many steps an epoch has. The trainer updates one instance as it goes; a step reads it and keeps
/// no reference to it.
/// </summary>
public sealed class StepContext
{
    internal StepContext(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, int epochs, int stepsPerEpoch, int batchSize, long seed)
    {
        Model = model;
        Optimizer = optimizer;
        Epochs = epochs;
        StepsPerEpoch = stepsPerEpoch;
        BatchSize = batchSize;
        Seed = seed;
    }

    /// <summary>The module being trained (inputs → logits), in training mode.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The optimiser over the module's parameters.</summary>
    public optim.Optimizer Optimizer { get; }

    /// <summary>The current epoch, 1-based.</summary>
    public int Epoch { get; internal set; }

    /// <summary>The number of epochs of the run (the most; early stopping may end it sooner).</summary>
    public int Epochs { get; }

    /// <summary>The global step, 0-based, counted over the whole run.</summary>
    public long Step { get; internal set; }

    /// <summary>The step within the current epoch, 0-based.</summary>
    public int StepInEpoch { get; internal set; }

    /// <summary>Mini-batches per epoch.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>The nominal mini-batch size (the last batch of an epoch may be smaller).</summary>
    public int BatchSize { get; }

    /// <summary>The run's seed (<see cref="TrainingOptions.Seed"/>), from which a stochastic step derives its randomness.</summary>
    public long Seed { get; }

    /// <summary>Training progress in epochs, from 0 at the first step to <see cref="Epochs"/> after the last: (epoch − 1) + step-in-epoch / steps-per-epoch.</summary>
    public double Progress => Epoch - 1 + (double)StepInEpoch / StepsPerEpoch;

    /// <summary>Checked by the trainer between steps; long steps may check it too.</summary>
    public CancellationToken CancellationToken { get; internal set; }
}
