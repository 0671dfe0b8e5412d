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

/// <summary>
/// One optimisation step of a <see cref="Trainer"/> on a mini-batch: it owns the forward pass, the backward pass, any
/// transformation of the gradients (per-sample clipping and noise for DP-SGD) and the optimiser step. Plain
/// cross-entropy, distillation, saturation, adversarial training and DP-SGD are steps; a schedule reads the epoch and
/// step from the <see cref="StepContext"/>.
/// </summary>
public interface ITrainingStep
{
    /// <summary>Updates <see cref="StepContext.Model"/> on one mini-batch and returns its mean training loss.</summary>
    /// <param name="inputs">Batch inputs [B, ...] on the model's device.</param>
    /// <param name="labels">Batch labels [B] (int64) on the model's device.</param>
    /// <param name="context">Model, optimiser, epoch and step.</param>
    double Run(Tensor inputs, Tensor labels, StepContext context);
}

/// <summary>
/// A step that minimises a differentiable loss: zero the gradients, compute <see cref="Loss"/>, back-propagate, step
/// the optimiser. Steps that only change the loss derive from it.
/// </summary>
public abstract class LossStep : ITrainingStep
{
    /// <inheritdoc />
    public double Run(Tensor inputs, Tensor labels, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var scope = NewDisposeScope();
        context.Optimizer.zero_grad();
        var loss = Loss(inputs, labels, context);
        loss.backward();
        context.Optimizer.step();
        return loss.item<float>();
    }

    /// <summary>The scalar loss for a batch (autograd on, the model in training mode); disposed by the caller's scope.</summary>
    protected abstract Tensor Loss(Tensor inputs, Tensor labels, StepContext context);
}

/// <summary>Cross-entropy of softmax(logits / T) against the labels: the plain step (T = 1).</summary>
public sealed class CrossEntropyStep : LossStep
{
    /// <summary>Plain cross-entropy (T = 1).</summary>
    public static CrossEntropyStep Default { get; } = new();

    /// <summary>Cross-entropy at softmax temperature <paramref name="temperature"/> (positive).</summary>
    public CrossEntropyStep(double temperature = 1.0)
    {
        Internal.Guard.Positive(temperature, nameof(temperature));
        Temperature = temperature;
    }

    /// <summary>The softmax temperature T.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    protected override Tensor Loss(Tensor inputs, Tensor labels, StepContext context)
    {
        var logits = context.Model.forward(inputs);
        return nn.functional.cross_entropy(Temperature == 1.0 ? logits : logits / Temperature, labels);
    }
}
