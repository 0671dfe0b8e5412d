namespace NeuralShield.Training;

/// <summary>Cross-entropy of softmax(logits / T) against the labels: the plain step (T = 1).</summary>
public sealed class CrossEntropyStep : LossStep
{
    /// <summary>Plain cross-entropy (T = 1).</summary>
    public static CrossEntropyStep Default { get; } = new();

    /// <summary>Cross-entropy at softmax temperature <paramref name="temperature"/> (positive).</summary>
    public CrossEntropyStep(double temperature = 1.0)
    {
        Guard.Positive(temperature, nameof(temperature));
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
