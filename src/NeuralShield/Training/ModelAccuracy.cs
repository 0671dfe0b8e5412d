namespace NeuralShield.Training;

/// <summary>Accuracy of a model or classifier on labelled data, computed in batches without autograd.</summary>
public static class ModelAccuracy
{
    /// <summary>The fraction of <paramref name="data"/> that <paramref name="classifier"/> labels correctly.</summary>
    public static double Of(IClassifier classifier, LabeledData data, int batchSize = 1000)
    {
        var (correct, _) = Counts(classifier, data, batchSize);
        return (double)correct.Sum() / data.Count;
    }

    /// <summary>The fraction of <paramref name="data"/> that <paramref name="model"/> (inputs → logits) labels correctly.</summary>
    public static double Of(nn.Module<Tensor, Tensor> model, LabeledData data, Device? device = null, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        Guard.Positive(batchSize, nameof(batchSize));
        device ??= model.parameters().FirstOrDefault()?.device ?? CPU;
        long correct = 0;
        using var _ = no_grad();
        foreach (var (x, y) in data.Batches(batchSize, device: device))
        {
            using var scope = NewDisposeScope();
            using var ownedX = x;
            using var ownedY = y;
            correct += model.forward(x).argmax(1).eq(y).sum().item<long>();
        }
        return (double)correct / data.Count;
    }

    /// <summary>
    /// The accuracy of <paramref name="classifier"/> on the records of each class of <paramref name="data"/>, indexed
    /// by class; NaN for a class with no record.
    /// </summary>
    public static double[] PerClass(IClassifier classifier, LabeledData data, int batchSize = 1000)
    {
        var (correct, total) = Counts(classifier, data, batchSize);
        return correct.Select((c, k) => total[k] == 0 ? double.NaN : (double)c / total[k]).ToArray();
    }

    /// <summary>Per class: the records <paramref name="classifier"/> labels correctly and all records, counted on its device in batches.</summary>
    private static (long[] Correct, long[] Total) Counts(IClassifier classifier, LabeledData data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(data);
        Guard.Positive(batchSize, nameof(batchSize));
        if (data.ClassCount != classifier.ClassCount)
            throw new ArgumentException($"data has {data.ClassCount} classes but the classifier {classifier.ClassCount}.", nameof(data));
        using var correct = zeros(data.ClassCount, ScalarType.Int64, classifier.Device);
        using var total = zeros(data.ClassCount, ScalarType.Int64, classifier.Device);
        foreach (var (x, y) in data.Batches(batchSize, device: classifier.Device))
        {
            using var scope = NewDisposeScope();
            using var ownedX = x;
            using var ownedY = y;
            using var probabilities = classifier.PredictProbabilities(x);
            correct.add_(y.masked_select(probabilities.argmax(1).eq(y)).bincount(null, data.ClassCount));
            total.add_(y.bincount(null, data.ClassCount));
        }
        return (correct.cpu().data<long>().ToArray(), total.cpu().data<long>().ToArray());
    }
}
