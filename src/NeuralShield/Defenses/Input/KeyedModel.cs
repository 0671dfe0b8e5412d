namespace NeuralShield.Defenses.Input;

/// <summary>A model trained on keyed inputs and deployed behind its <see cref="KeyedInputTransform"/>; owns the trained model.</summary>
public sealed class KeyedModel : IDisposable
{
    internal KeyedModel(TrainedModel inner, KeyedInputTransform transform)
    {
        Inner = inner;
        Classifier = transform.Apply(inner.Classifier);
    }

    /// <summary>The model as trained, on transformed inputs.</summary>
    public TrainedModel Inner { get; }

    /// <summary>The deployed classifier: natural inputs pass through the transform first.</summary>
    public IDifferentiableClassifier Classifier { get; }

    /// <inheritdoc />
    public void Dispose() => Inner.Dispose();
}
