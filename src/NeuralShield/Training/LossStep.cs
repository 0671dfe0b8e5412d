namespace NeuralShield.Training;

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
