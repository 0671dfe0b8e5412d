namespace NeuralShield.Attacks.Fooling;

/// <summary>
/// The outcome of a fooling attack: the synthesised inputs, their target classes, the model's confidence in
/// each target (measured by the library after the search), and summary numbers. Owns its tensors.
/// </summary>
/// <remarks>The constructor creates a result and takes ownership of the tensors.</remarks>
public sealed class FoolingResult(Tensor images, IReadOnlyList<int> targetClasses, Tensor confidences, Tensor predictions, FoolingMetrics metrics) : IDisposable
{
    /// <summary>The synthesised inputs [K, ...], inside the model's bounds.</summary>
    public Tensor Images { get; } = images ?? throw new ArgumentNullException(nameof(images));

    /// <summary>The target class of each input, in request order.</summary>
    public IReadOnlyList<int> TargetClasses { get; } = targetClasses?.ToArray() ?? throw new ArgumentNullException(nameof(targetClasses));

    /// <summary>The model's probability of each input's target class [K] (float32).</summary>
    public Tensor Confidences { get; } = confidences ?? throw new ArgumentNullException(nameof(confidences));

    /// <summary>The model's predicted labels on the inputs [K] (int64).</summary>
    public Tensor Predictions { get; } = predictions ?? throw new ArgumentNullException(nameof(predictions));

    /// <summary>Summary numbers.</summary>
    public FoolingMetrics Metrics { get; } = metrics;

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Confidences.Dispose();
        Predictions.Dispose();
    }
}
