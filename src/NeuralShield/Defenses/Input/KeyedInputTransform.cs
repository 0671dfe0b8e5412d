using Microsoft.Extensions.Logging;
using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Input;

/// <summary>
/// A secret keyed input transform applied before a model and trained with it: a key-seeded permutation of the input
/// features and/or an XOR of the binarised features with key bits (the "input transformation with a secret key" idea
/// discussed for black-box attacks: survey §4.5/§4.6; Tramèr et al., "Ensemble Adversarial Training", 2018, on the
/// limits of such transforms). The model is trained on transformed data (<see cref="Fit"/>), and deployed behind
/// the transform (<see cref="Apply(IDifferentiableClassifier)"/>), so an attacker who does not know the key crafts
/// against the wrong input coordinates when it transfers from a model of its own.
/// <para>
/// For a fixed key the transform is a bijection: on any input for the permutation alone, on binarised inputs (values at
/// the bounds) when XOR is on; <see cref="Invert"/> undoes it. The permutation is differentiable. Binarisation is not:
/// the differentiable view (<see cref="Apply(IDifferentiableClassifier)"/>) computes the exact transformed value in the
/// forward pass and, in the backward pass, the gradient of the same map applied to x without binarising,
/// x ↦ k·(L + U − x) + (1 − k)·x: the binarisation is treated as the identity (a straight-through estimator, BPDA in
/// Athalye et al. 2018) and the XOR as the sign flip (1 − 2k) it is on binary values. A white-box attacker who holds the key uses that gradient.
/// </para>
/// </summary>
public sealed class KeyedInputTransform : IInputDefense, IDisposable
{
    private readonly KeyedInputTransformOptions _options;
    private readonly long[] _sampleShape;
    private readonly Tensor? _permutation;
    private readonly Tensor? _inverse;
    private readonly Tensor? _bits;
    private readonly InputBounds _bounds;
    private bool _disposed;

    /// <summary>Draws the key for samples of <paramref name="sampleShape"/> in <paramref name="bounds"/>.</summary>
    /// <exception cref="ArgumentException">The shape is not a list of positive sizes, or a setting is out of range.</exception>
    public KeyedInputTransform(long[] sampleShape, KeyedInputTransformOptions? options = null, InputBounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length == 0 || sampleShape.Any(d => d <= 0)) throw new ArgumentException("sampleShape must list positive per-sample sizes.", nameof(sampleShape));
        _options = (options ?? new KeyedInputTransformOptions()).Validated();
        _bounds = bounds ?? InputBounds.Unit;
        InputChecks.Bounds(_bounds, nameof(bounds));
        _sampleShape = sampleShape.ToArray();
        var features = FeatureCount;
        using var generator = new Generator((ulong)_options.KeySeed);
        if (_options.Permute)
        {
            _permutation = randperm(features, generator: generator, dtype: ScalarType.Int64).DetachFromDisposeScope();
            _inverse = _permutation.argsort().DetachFromDisposeScope();
        }
        if (_options.Xor)
            _bits = rand([features], generator: generator).lt(_options.XorDensity).to_type(ScalarType.Float32).DetachFromDisposeScope();
    }

    /// <summary>A copy of the settings (they include the key seed).</summary>
    public KeyedInputTransformOptions Options => _options.Copy();

    /// <summary>The per-sample shape the key was drawn for.</summary>
    public IReadOnlyList<long> SampleShape => _sampleShape;

    /// <summary>Features per sample.</summary>
    public long FeatureCount => _sampleShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Whether the transform is differentiable (permutation only).</summary>
    public bool IsDifferentiable => !_options.Xor;

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new(_options.Xor ? (_options.Permute ? "Keyed permutation + XOR" : "Keyed XOR") : "Keyed permutation",
        DefenseKind.Input, null, [AttackFamily.Evasion, AttackFamily.Extraction]);

    /// <summary>The transformed batch [N, ...] (same shape): binarise and XOR (when on), then permute (when on).</summary>
    public Tensor Transform(Tensor inputs) => Forward(inputs, straightThrough: false);

    /// <summary>The inverse of <see cref="Transform(Tensor)"/>: un-permute, then XOR again (on binarised values the XOR is its own inverse).</summary>
    public Tensor Invert(Tensor transformed)
    {
        var (flat, shape) = Flatten(transformed);
        using var scope = NewDisposeScope();
        var x = flat;
        if (_inverse is not null) x = x.index_select(1, _inverse.to(x.device));
        if (_bits is not null) x = Xor(x, Binarise(x), straightThrough: false);
        return x.reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>A copy of <paramref name="data"/> with transformed features (what the model is trained on).</summary>
    public LabeledData Transform(LabeledData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        var features = Transform(data.Features).DetachFromDisposeScope();
        return new LabeledData(features, data.Labels.clone().DetachFromDisposeScope(), data.ClassCount, data.ClassNames, data.FeatureNames);
    }

    /// <summary>
    /// Trains <paramref name="recipe"/>'s model on the transformed <paramref name="train"/> (and validation) data and
    /// returns it deployed behind the transform; the result owns the trained model, not this transform.
    /// </summary>
    public KeyedModel Fit(ModelRecipe recipe, LabeledData train, LabeledData? validation = null, IProgress<EpochReport>? progress = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(train);
        var checkedRecipe = recipe.Validated();
        using var keyedTrain = Transform(train);
        using var keyedValidation = validation is null ? null : Transform(validation);
        var trained = checkedRecipe.Train(keyedTrain, null, keyedValidation, progress, logger, 0, cancellationToken);
        return new KeyedModel(trained, this);
    }

    /// <inheritdoc />
    /// <remarks>With XOR on, the view's gradient is the straight-through one described on the class.</remarks>
    public IDifferentiableClassifier Apply(IDifferentiableClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        return new KeyedClassifier(classifier, this);
    }

    /// <summary>Wraps a black-box classifier (e.g. an ONNX model trained on transformed data) behind the transform.</summary>
    public IClassifier Apply(IClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        return classifier is IDifferentiableClassifier d ? new KeyedClassifier(d, this) : new KeyedBlackBox(classifier, this);
    }

    internal Tensor Forward(Tensor inputs, bool straightThrough)
    {
        var (flat, shape) = Flatten(inputs);
        using var scope = NewDisposeScope();
        var x = flat;
        if (_bits is not null) x = Xor(x, Binarise(x), straightThrough);
        if (_permutation is not null) x = x.index_select(1, _permutation.to(x.device));
        return x.reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>Values at the bounds: the upper bound where x is at or above the threshold of the range.</summary>
    private Tensor Binarise(Tensor x)
    {
        var cut = _bounds.Lower + _options.BinarizeThreshold * _bounds.Range;
        return x.ge(cut).to_type(ScalarType.Float32) * _bounds.Range + _bounds.Lower;
    }

    /// <summary>
    /// XOR of binary values b ∈ {L, U} with the key bits k: L + |(b − L) − k·(U − L)|, i.e. k·(U + L − b) + (1 − k)·b.
    /// Straight-through: the value of the binarised XOR with the gradient of the same map applied to x itself.
    /// </summary>
    private Tensor Xor(Tensor x, Tensor binary, bool straightThrough)
    {
        var k = _bits!.to(x.device);
        var sum = _bounds.Lower + _bounds.Upper;
        var hard = k * (sum - binary) + (1 - k) * binary;
        if (!straightThrough) return hard;
        var relaxed = k * (sum - x) + (1 - k) * x;
        return relaxed + (hard - relaxed).detach();
    }

    private (Tensor Flat, long[] Shape) Flatten(Tensor inputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.Batch(inputs, nameof(inputs));
        var shape = inputs.shape;
        var features = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        if (features != FeatureCount)
            throw new ArgumentException($"inputs must have {FeatureCount} features per sample (shape [N, {string.Join(", ", _sampleShape)}]); got shape [{string.Join(", ", shape)}].", nameof(inputs));
        var flat = inputs.reshape(shape[0], features);
        if (flat.dtype != ScalarType.Float32) flat = flat.to_type(ScalarType.Float32);
        return (flat, shape);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _permutation?.Dispose();
        _inverse?.Dispose();
        _bits?.Dispose();
    }

    private sealed class KeyedClassifier(IDifferentiableClassifier inner, KeyedInputTransform transform) : DifferentiableClassifierDecorator(inner)
    {
        public override Tensor PredictProbabilities(Tensor inputs)
        {
            using var transformed = transform.Forward(inputs, straightThrough: false);
            return Inner.PredictProbabilities(transformed);
        }

        public override Tensor Logits(Tensor inputs)
        {
            using var scope = NewDisposeScope();
            var transformed = transform.Forward(inputs, straightThrough: true);
            return Inner.Logits(transformed).MoveToOuterDisposeScope();
        }
    }

    private sealed class KeyedBlackBox(IClassifier inner, KeyedInputTransform transform) : ClassifierDecorator(inner)
    {
        public override Tensor PredictProbabilities(Tensor inputs)
        {
            using var transformed = transform.Forward(inputs, straightThrough: false);
            return Inner.PredictProbabilities(transformed);
        }
    }
}
