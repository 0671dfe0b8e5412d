namespace NeuralShield.Attacks.Adaptive;

/// <summary>
/// The temperature-restored view of a classifier: logits Z(x) / T and probabilities softmax(Z(x) / T). An
/// attacker's tool against defensive distillation (Carlini and Wagner 2016, arXiv 1607.04311 and 1608.04644):
/// the distilled student was trained at temperature T and is deployed at T = 1, where its softmax saturates and
/// the gradient of softmax-based attacks (JSMA-F, FGSM on cross-entropy) underflows to zero; dividing the logits
/// by T again restores a usable gradient. The predicted class is the same as the wrapped classifier's (argmax is
/// unchanged by a positive scale), so an adversarial found on the view is one on the deployed model.
/// Queries are counted by the wrapped classifier; the view does not own it.
/// </summary>
public sealed class TemperatureRestoredClassifier : DifferentiableClassifierDecorator
{

    /// <summary>Wraps <paramref name="inner"/> with temperature <paramref name="temperature"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a positive finite number.</exception>
    public TemperatureRestoredClassifier(IDifferentiableClassifier inner, double temperature) : base(inner)
    {
        Guard.Positive(temperature, nameof(temperature));
        Temperature = temperature;
    }

    /// <summary>The temperature T the logits are divided by.</summary>
    public double Temperature { get; }

    /// <inheritdoc />
    public override Tensor Logits(Tensor inputs)
    {
        using var logits = Inner.Logits(inputs);
        return logits / Temperature;
    }

    /// <inheritdoc />
    public override Tensor PredictProbabilities(Tensor inputs)
    {
        using var _ = no_grad();
        using var logits = Logits(inputs);
        return logits.softmax(1);
    }
}
