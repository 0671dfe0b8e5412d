namespace NeuralShield.Training;

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
