namespace NeuralShield.Models;

/// <summary>Conveniences over <see cref="IClassifier"/>.</summary>
public static class ClassifierExtensions
{
    /// <summary>The prediction <see cref="Predict"/> gives a sample whose probabilities are not all finite: no valid prediction.</summary>
    public const long NoPrediction = -1;

    /// <summary>
    /// The predicted class indices [N] (int64) for a batch, computed in chunks of <paramref name="batchSize"/>.
    /// A row whose probabilities come back NaN or ±Inf (a model that produced NaN) gets <see cref="NoPrediction"/>
    /// (−1), meaning "no valid prediction"; <see cref="Attacks.AttackGoal.IsSuccess"/> never counts such a row as a success.
    /// </summary>
    /// <param name="classifier">The classifier to query.</param>
    /// <param name="inputs">A batch [N, ...] with N ≥ 1 of a floating dtype (float16, bfloat16, float32, float64), with no NaN or ±Inf.</param>
    /// <param name="batchSize">The largest number of samples sent to the classifier at once.</param>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> is not a floating batch, or holds NaN or ±Inf (the message says which and where).</exception>
    public static Tensor Predict(this IClassifier classifier, Tensor inputs, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        Guard.Batch(inputs, nameof(inputs));
        Guard.Finite(inputs, nameof(inputs));
        Guard.Positive(batchSize, nameof(batchSize));
        var n = inputs.shape[0];
        if (n <= batchSize) return PredictChunk(classifier, inputs);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < n; start += batchSize)
            {
                using var chunk = inputs.narrow(0, start, Math.Min(batchSize, n - start));
                parts.Add(PredictChunk(classifier, chunk));
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    private static Tensor PredictChunk(IClassifier classifier, Tensor inputs)
    {
        using var p = classifier.PredictProbabilities(inputs);
        using var finite = p.isfinite();
        using var valid = finite.all(1);
        using var invalid = valid.logical_not();
        using var predicted = p.argmax(1);
        return predicted.masked_fill(invalid, NoPrediction);
    }
}
