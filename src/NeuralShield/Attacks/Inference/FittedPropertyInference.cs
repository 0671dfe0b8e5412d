using TorchSharp.Modules;

namespace NeuralShield.Attacks.Inference;

/// <summary>A fitted property-inference attack: the meta-classifier and what it measured on held-out shadow models.</summary>
public sealed class FittedPropertyInference : IFittedInference<ITorchModel, PropertyQuery, PropertyInferenceResult>
{
    private readonly MetaClassifier _meta;
    private readonly IReadOnlyList<long[]> _shapes;

    internal FittedPropertyInference(MetaClassifier meta, ParameterRepresentation representation, IReadOnlyList<long[]> shapes, double heldOutAccuracy,
        double sortedAccuracy, double flattenedAccuracy, int trainingShadows, int heldOutShadows, string propertyName)
    {
        _meta = meta;
        _shapes = shapes;
        Representation = representation;
        HeldOutAccuracy = heldOutAccuracy;
        SortedHeldOutAccuracy = sortedAccuracy;
        FlattenedHeldOutAccuracy = flattenedAccuracy;
        TrainingShadows = trainingShadows;
        HeldOutShadows = heldOutShadows;
        PropertyName = propertyName;
    }

    /// <summary>The representation the meta-classifier reads.</summary>
    public ParameterRepresentation Representation { get; }

    /// <summary>The meta-classifier's accuracy on the held-out shadow models (half with, half without the property).</summary>
    public double HeldOutAccuracy { get; }

    /// <summary>The held-out accuracy of a meta-classifier on the sorted representation of the same shadows.</summary>
    public double SortedHeldOutAccuracy { get; }

    /// <summary>The held-out accuracy of a meta-classifier on the flattened raw weights of the same shadows (the baseline).</summary>
    public double FlattenedHeldOutAccuracy { get; }

    /// <summary>Shadow models the meta-classifier was trained on.</summary>
    public int TrainingShadows { get; }

    /// <summary>Shadow models held out.</summary>
    public int HeldOutShadows { get; }

    /// <summary>The property's name.</summary>
    public string PropertyName { get; }

    /// <summary>The probability that <paramref name="target"/>'s training data has the property, and the decision at <paramref name="query"/>'s threshold.</summary>
    /// <exception cref="ArgumentException">The target's architecture differs from the shadow models'.</exception>
    public PropertyInferenceResult Infer(ITorchModel target, PropertyQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var shapes = PropertyInference.LinearLayers(target.Module, nameof(target)).Select(l => l.weight!.shape).ToList();
        if (shapes.Count != _shapes.Count || !shapes.Zip(_shapes).All(p => p.First.SequenceEqual(p.Second)))
            throw new ArgumentException("target's layers differ from the shadow models'.", nameof(target));
        using var features = PropertyInference.Represent(target.Module, Representation);
        using var batch = features.unsqueeze(0);
        using var p = _meta.Probabilities(batch);
        var probability = p[0].item<float>();
        return new PropertyInferenceResult(probability, probability >= query.Threshold);
    }

    /// <summary><see cref="Infer(ITorchModel, PropertyQuery, CancellationToken)"/> at threshold 0.5.</summary>
    public PropertyInferenceResult Infer(ITorchModel target, CancellationToken cancellationToken = default) => Infer(target, PropertyQuery.Default, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _meta.Dispose();
}
