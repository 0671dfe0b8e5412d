using static TorchSharp.torch;

namespace NeuralShield.Models;

/// <summary>
/// A black-box classifier: what a remote prediction API offers. Inputs are batches [N, ...] inside
/// <see cref="Bounds"/>; outputs are class probabilities [N, C]. Every call is counted.
/// </summary>
public interface IClassifier
{
    /// <summary>The number of classes C.</summary>
    int ClassCount { get; }

    /// <summary>The box valid inputs lie in.</summary>
    InputBounds Bounds { get; }

    /// <summary>The device the classifier computes on; attacks allocate there.</summary>
    Device Device { get; }

    /// <summary>The number of input samples this classifier has answered so far (queries).</summary>
    long QueryCount { get; }

    /// <summary>Class probabilities [N, C] for a batch [N, ...], without autograd. Returns a fresh tensor.</summary>
    Tensor PredictProbabilities(Tensor inputs);
}

/// <summary>A white-box classifier: its logits are differentiable with respect to the inputs.</summary>
public interface IDifferentiableClassifier : IClassifier
{
    /// <summary>Logits [N, C] for a batch [N, ...], with autograd on. Returns a fresh tensor.</summary>
    Tensor Logits(Tensor inputs);
}

/// <summary>Conveniences over <see cref="IClassifier"/>.</summary>
public static class ClassifierExtensions
{
    /// <summary>The predicted class indices [N] (int64) for a batch, computed in chunks of <paramref name="batchSize"/>.</summary>
    public static Tensor Predict(this IClassifier classifier, Tensor inputs, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        Internal.Guard.Batch(inputs, nameof(inputs));
        Internal.Guard.Positive(batchSize, nameof(batchSize));
        var n = inputs.shape[0];
        if (n <= batchSize)
        {
            using var p = classifier.PredictProbabilities(inputs);
            return p.argmax(1);
        }
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < n; start += batchSize)
            {
                using var chunk = inputs.narrow(0, start, Math.Min(batchSize, n - start));
                using var p = classifier.PredictProbabilities(chunk);
                parts.Add(p.argmax(1));
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
