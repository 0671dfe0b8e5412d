namespace NeuralShield.Defenses.Training;

/// <summary>
/// What a training defense returns: the hardened classifier (which owns its module) and the record of its
/// training. Disposing the result disposes the classifier and its module.
/// </summary>
public abstract class HardenedModel : IDisposable
{
    private readonly TrainedModel _model;
    private bool _disposed;

    /// <summary>Takes ownership of the trained model.</summary>
    protected HardenedModel(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>The hardened classifier as deployed; every attack runs against it unchanged.</summary>
    public TorchClassifier Classifier => _model.Classifier;

    /// <summary>The training record of the deployed model.</summary>
    public TrainingResult Training => _model.Training;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _model.Dispose();
        GC.SuppressFinalize(this);
    }
}
