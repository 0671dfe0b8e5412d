using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Output;

/// <summary>
/// Reveals the model's probabilities at a softmax temperature: softmax(log p / T). T &gt; 1 flattens the output (raises
/// its entropy), T &lt; 1 sharpens it; the order of the classes, and so the predicted class, is kept. Shokri et al.
/// (S&amp;P 2017, Section VI) list raising the entropy of the prediction vector among the mitigations of membership
/// inference. Classes with probability 0 stay at 0.
/// </summary>
/// <param name="temperature">T, a positive finite number.</param>
public sealed class OutputTemperature(double temperature) : IOutputDefense
{
    /// <summary>The temperature T.</summary>
    public double Temperature { get; } = Guard.Positive(temperature, nameof(temperature));

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new($"Output temperature (T = {Temperature})", DefenseKind.Output, Papers.Shokri2017, [AttackFamily.Inference]);

    /// <inheritdoc />
    public Tensor Transform(Tensor probabilities) => ProbabilityRows.Map(probabilities, (p, argmax, output) =>
    {
        // softmax(log p / T) = p^(1/T) / Σ p^(1/T), computed relative to the largest p for stability.
        var max = p[argmax];
        double sum = 0;
        for (var j = 0; j < p.Length; j++)
        {
            output[j] = p[j] <= 0 ? 0 : Math.Exp((Math.Log(p[j]) - Math.Log(max)) / Temperature);
            sum += output[j];
        }
        for (var j = 0; j < p.Length; j++) output[j] /= sum;
    });
}
