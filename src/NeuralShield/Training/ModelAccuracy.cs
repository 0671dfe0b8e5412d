using NeuralShield.Data;
using NeuralShield.Internal;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Training;

/// <summary>Accuracy of a model or classifier on labelled data, computed in batches without autograd.</summary>
public static class ModelAccuracy
{
    /// <summary>The fraction of <paramref name="data"/> that <paramref name="classifier"/> labels correctly.</summary>
    public static double Of(IClassifier classifier, LabeledData data, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(data);
        Guard.Positive(batchSize, nameof(batchSize));
        if (data.ClassCount != classifier.ClassCount)
            throw new ArgumentException($"data has {data.ClassCount} classes but the classifier {classifier.ClassCount}.", nameof(data));
        long correct = 0;
        foreach (var (x, y) in data.Batches(batchSize, device: classifier.Device))
        {
            using var scope = NewDisposeScope();
            using var ownedX = x;
            using var ownedY = y;
            using var probabilities = classifier.PredictProbabilities(x);
            correct += probabilities.argmax(1).eq(y).sum().item<long>();
        }
        return (double)correct / data.Count;
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
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(data);
        Guard.Positive(batchSize, nameof(batchSize));
        if (data.ClassCount != classifier.ClassCount)
            throw new ArgumentException($"data has {data.ClassCount} classes but the classifier {classifier.ClassCount}.", nameof(data));
        var correct = new long[data.ClassCount];
        var total = new long[data.ClassCount];
        foreach (var (x, y) in data.Batches(batchSize, device: classifier.Device))
        {
            using var scope = NewDisposeScope();
            using var ownedX = x;
            using var ownedY = y;
            using var probabilities = classifier.PredictProbabilities(x);
            var labels = y.cpu().data<long>().ToArray();
            var hits = probabilities.argmax(1).eq(y).cpu().data<bool>().ToArray();
            for (var i = 0; i < labels.Length; i++)
            {
                total[labels[i]]++;
                if (hits[i]) correct[labels[i]]++;
            }
        }
        return correct.Select((c, k) => total[k] == 0 ? double.NaN : (double)c / total[k]).ToArray();
    }
}
