namespace NeuralShield.Attacks.Fooling;

/// <summary>
/// The outcome of a fooling attack: the synthesised inputs, their target classes, the model's confidence in
/// each target (measured by the library after the search), and summary numbers. Owns its tensors.
/// </summary>
public sealed class FoolingResult : IDisposable
{
    /// <summary>Creates a result; takes ownership of the tensors.</summary>
    public FoolingResult(Tensor images, IReadOnlyList<int> targetClasses, Tensor confidences, Tensor predictions, FoolingMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(targetClasses);
        ArgumentNullException.ThrowIfNull(confidences);
        ArgumentNullException.ThrowIfNull(predictions);
        Images = images;
        TargetClasses = targetClasses.ToArray();
        Confidences = confidences;
        Predictions = predictions;
        Metrics = metrics;
    }

    /// <summary>The synthesised inputs [K, ...], inside the model's bounds.</summary>
    public Tensor Images { get; }

    /// <summary>The target class of each input, in request order.</summary>
    public IReadOnlyList<int> TargetClasses { get; }

    /// <summary>The model's probability of each input's target class [K] (float32).</summary>
    public Tensor Confidences { get; }

    /// <summary>The model's predicted labels on the inputs [K] (int64).</summary>
    public Tensor Predictions { get; }

    /// <summary>Summary numbers.</summary>
    public FoolingMetrics Metrics { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Confidences.Dispose();
        Predictions.Dispose();
    }
}
