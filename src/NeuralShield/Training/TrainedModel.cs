namespace NeuralShield.Training;

/// <summary>A classifier trained from a <see cref="ModelRecipe"/> (it owns its module) and the record of its training.</summary>
public sealed class TrainedModel : IDisposable
{
    /// <summary>Takes ownership of <paramref name="classifier"/>.</summary>
    public TrainedModel(TorchClassifier classifier, TrainingResult training)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(training);
        Classifier = classifier;
        Training = training;
    }

    /// <summary>The trained classifier.</summary>
    public TorchClassifier Classifier { get; }

    /// <summary>Its training record.</summary>
    public TrainingResult Training { get; }

    /// <inheritdoc />
    public void Dispose() => Classifier.Dispose();
}
