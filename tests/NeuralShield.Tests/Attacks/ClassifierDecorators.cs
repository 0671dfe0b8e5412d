using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks;

/// <summary>A decorator that divides the wrapped model's logits by a temperature T (softmax at temperature T).</summary>
internal sealed class TemperatureScaledClassifier(IDifferentiableClassifier inner, double temperature) : IDifferentiableClassifier
{
    private long _queries;

    public double Temperature { get; } = temperature > 0 ? temperature : throw new ArgumentOutOfRangeException(nameof(temperature));

    public int ClassCount => inner.ClassCount;

    public InputBounds Bounds => inner.Bounds;

    public Device Device => inner.Device;

    public long QueryCount => Interlocked.Read(ref _queries);

    public Tensor Logits(Tensor inputs)
    {
        Interlocked.Add(ref _queries, inputs.shape[0]);
        using var logits = inner.Logits(inputs);
        return logits / Temperature;
    }

    public Tensor PredictProbabilities(Tensor inputs)
    {
        using var _ = no_grad();
        using var logits = Logits(inputs);
        return logits.softmax(1);
    }
}

/// <summary>A black-box view of a model: only <see cref="IClassifier.PredictProbabilities"/>, no gradients.</summary>
internal sealed class ProbabilitiesOnlyClassifier(IClassifier inner) : IClassifier
{
    public int ClassCount => inner.ClassCount;

    public InputBounds Bounds => inner.Bounds;

    public Device Device => inner.Device;

    public long QueryCount => inner.QueryCount;

    public Tensor PredictProbabilities(Tensor inputs) => inner.PredictProbabilities(inputs);
}
