using static TorchSharp.torch;

namespace NeuralShield.Training;

/// <summary>
/// The loss a <see cref="Trainer"/> minimises on one mini-batch. Training defenses (distillation,
/// saturation, adversarial training, DP-SGD) supply their own objective.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>The scalar loss for a batch; autograd on, the model in training mode.</summary>
    /// <param name="model">The module being trained (maps inputs to logits).</param>
    /// <param name="inputs">Batch inputs [B, ...].</param>
    /// <param name="labels">Batch labels [B] (int64).</param>
    Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels);
}

/// <summary>Cross-entropy of softmax(logits / T) against the labels: the plain objective (T = 1).</summary>
public sealed class CrossEntropyObjective : ITrainingObjective
{
    /// <summary>Plain cross-entropy (T = 1).</summary>
    public static CrossEntropyObjective Default { get; } = new();

    /// <summary>Cross-entropy at softmax temperature <paramref name="temperature"/>.</summary>
    public CrossEntropyObjective(double temperature = 1.0)
    {
        Internal.Guard.Positive(temperature, nameof(temperature));
        Temperature = temperature;
    }

    /// <summary>The softmax temperature T.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        using var logits = model.forward(inputs);
        if (Temperature == 1.0) return nn.functional.cross_entropy(logits, labels);
        using var scaled = logits / Temperature;
        return nn.functional.cross_entropy(scaled, labels);
    }
}
