using Microsoft.Extensions.Logging;

namespace NeuralShield.Attacks.Fooling;

/// <summary>
/// The shared part of every fooling attack: argument checks, device placement, a dispose scope, clamping to
/// the model's bounds, the library's own confidence check on the model, query count and elapsed time.
/// A concrete attack implements only <see cref="Search"/>.
/// </summary>
/// <typeparam name="TModel">The access the attack needs.</typeparam>
public abstract class FoolingAttackBase<TModel> : IFoolingAttack<TModel> where TModel : IClassifier
{
    /// <inheritdoc />
    public abstract AttackDescriptor Descriptor { get; }

    /// <summary>The target-class probability at which the search stops for a sample.</summary>
    public abstract double ConfidenceThreshold { get; }

    /// <inheritdoc />
    public FoolingResult Generate(TModel model, IReadOnlyList<int> targetClasses, IReadOnlyList<long> sampleShape, RunOptions? options, CancellationToken cancellationToken = default)
    {
        var run = options is null ? RunOptions.Default : options.Validated();
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(targetClasses);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (targetClasses.Count == 0) throw new ArgumentException("targetClasses must name at least one class.", nameof(targetClasses));
        for (var i = 0; i < targetClasses.Count; i++)
        {
            if (targetClasses[i] < 0 || targetClasses[i] >= model.ClassCount)
                throw new ArgumentOutOfRangeException(nameof(targetClasses), targetClasses[i],
                    $"targetClasses[{i}] must lie in [0, {model.ClassCount - 1}] (the model has {model.ClassCount} classes).");
        }
        if (sampleShape.Count == 0 || sampleShape.Any(d => d <= 0))
            throw new ArgumentException($"sampleShape must list at least one positive dimension; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        cancellationToken.ThrowIfCancellationRequested();

        var watch = Stopwatch.StartNew();
        var targetArray = targetClasses.ToArray();
        using var scope = NewDisposeScope();
        var targets = tensor(targetArray.Select(t => (long)t).ToArray(), device: model.Device);
        var batchShape = new long[sampleShape.Count + 1];
        batchShape[0] = targetArray.Length;
        for (var i = 0; i < sampleShape.Count; i++) batchShape[i + 1] = sampleShape[i];

        var queriesBefore = model.QueryCount;
        Tensor images;
        int iterations;
        using (no_grad())
        {
            Tensor raw;
            int used;
            try
            {
                (raw, used) = Search(model, targets, batchShape, new SearchContext(cancellationToken, run.Progress, watch));
            }
            catch (ArgumentException e) when (e.ParamName == "inputs")
            {
                throw new ArgumentException($"sampleShape [{string.Join(", ", sampleShape)}] is not a sample shape the model takes: {e.Message}", nameof(sampleShape), e);
            }
            if (!raw.shape.SequenceEqual(batchShape))
                throw new InvalidOperationException($"{GetType().Name} returned shape [{string.Join(", ", raw.shape)}]; expected [{string.Join(", ", batchShape)}].");
            images = model.Bounds.Clamp(raw.detach().to_type(ScalarType.Float32));
            iterations = used;
        }
        var queries = model.QueryCount - queriesBefore;
        var probabilities = model.PredictProbabilities(images);
        var confidences = probabilities.gather(1, targets.unsqueeze(1)).squeeze(1).to_type(ScalarType.Float32);
        var predictions = probabilities.argmax(1);
        watch.Stop();
        var metrics = Summarise(confidences, predictions, targets, ConfidenceThreshold, iterations, queries, watch.Elapsed);
        run.Logger?.LogInformation("{Attack}: {Reached:P1} of {Count} inputs reached confidence {Threshold}, min {Min:F6}, {Iterations} iterations, {Seconds:F2} s",
            Descriptor.Name, metrics.ReachedThresholdRate, metrics.Count, ConfidenceThreshold, metrics.MinConfidence, iterations, watch.Elapsed.TotalSeconds);
        return new FoolingResult(images.MoveToOuterDisposeScope(), targetArray, confidences.MoveToOuterDisposeScope(),
            predictions.MoveToOuterDisposeScope(), metrics);
    }

    /// <summary>
    /// The attack's search: inputs of shape <paramref name="batchShape"/> ([K, ...]) on the model's device, one per
    /// entry of <paramref name="targets"/> ([K] int64 on the model's device), and the number of steps or
    /// generations it ran. Runs inside a dispose scope with autograd off; enable it locally where needed. Call
    /// <see cref="SearchContext.Iteration"/> once per step or generation (it checks cancellation and reports progress).
    /// </summary>
    protected abstract (Tensor Images, int Iterations) Search(TModel model, Tensor targets, long[] batchShape, SearchContext context);

    private static FoolingMetrics Summarise(Tensor confidences, Tensor predictions, Tensor targets, double threshold, int iterations, long queries, TimeSpan elapsed)
    {
        var c = confidences.to_type(ScalarType.Float64).cpu();
        var k = (int)c.shape[0];
        var reached = c.ge(threshold).to_type(ScalarType.Float64).mean().item<double>();
        var predicted = predictions.eq(targets).to_type(ScalarType.Float64).mean().item<double>();
        return new FoolingMetrics(k, c.min().item<double>(), c.mean().item<double>(), reached, predicted, iterations, queries, elapsed);
    }
}
