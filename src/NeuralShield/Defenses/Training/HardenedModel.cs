using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Defenses.Training;

/// <summary>
/// What a training defense returns: the hardened classifier (which owns its module) and the record of its
/// training. Disposing the result disposes the classifier and its module.
/// </summary>
public abstract class HardenedModel : IDisposable
{
    private bool _disposed;

    /// <summary>Wraps the hardened classifier; takes ownership of it.</summary>
    protected HardenedModel(TorchClassifier classifier, TrainingResult training)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(training);
        Classifier = classifier;
        Training = training;
    }

    /// <summary>The hardened classifier as deployed; every attack runs against it unchanged.</summary>
    public TorchClassifier Classifier { get; }

    /// <summary>The training record of the deployed model.</summary>
    public TrainingResult Training { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Classifier.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Shared steps of the training defenses: building a seeded model on the device, checking the data.</summary>
internal static class DefenseModels
{
    /// <summary>A fresh model from <paramref name="factory"/> with weights seeded by <paramref name="seed"/>, on <paramref name="device"/>.</summary>
    public static nn.Module<Tensor, Tensor> Create(Func<long, nn.Module<Tensor, Tensor>> factory, long seed, Device device, string factoryName)
    {
        var module = factory(seed) ?? throw new InvalidOperationException($"{factoryName} returned null.");
        if (!module.parameters().Any())
        {
            module.Dispose();
            throw new InvalidOperationException($"{factoryName} returned a model without parameters.");
        }
        return module.to(device);
    }

    /// <summary>Checks the training data of a defense.</summary>
    public static void CheckData(LabeledData train, InputBounds bounds)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!bounds.Contains(train.Features, 1e-4f))
            throw new ArgumentException($"The training features must lie inside the bounds {bounds}.", nameof(train));
    }

    /// <summary>The classifier over a trained module, owning it.</summary>
    public static TorchClassifier Deploy(nn.Module<Tensor, Tensor> module, LabeledData train, InputBounds bounds) =>
        new(module, train.ClassCount, bounds, train.SampleShape, ownsModule: true);
}
