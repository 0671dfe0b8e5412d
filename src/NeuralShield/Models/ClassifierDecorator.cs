namespace NeuralShield.Models;

/// <summary>A classifier backed by a TorchSharp module that maps inputs [N, ...] to logits: what layer-wise tools need.</summary>
public interface ITorchModel : IDifferentiableClassifier
{
    /// <summary>The module (inputs → logits).</summary>
    nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>The per-sample input shape, when known.</summary>
    IReadOnlyList<long>? InputShape { get; }
}

/// <summary>
/// The base of every black-box decorator (output defenses, query monitors, views): forwards everything to
/// <see cref="Inner"/>, which it does not own; a decorator overrides what it changes. Queries are the inner
/// classifier's unless the decorator counts its own.
/// </summary>
public abstract class ClassifierDecorator : IClassifier
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected ClassifierDecorator(IClassifier inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The wrapped classifier.</summary>
    public IClassifier Inner { get; }

    /// <inheritdoc />
    public virtual int ClassCount => Inner.ClassCount;

    /// <inheritdoc />
    public virtual InputBounds Bounds => Inner.Bounds;

    /// <inheritdoc />
    public virtual Device Device => Inner.Device;

    /// <inheritdoc />
    public virtual long QueryCount => Inner.QueryCount;

    /// <inheritdoc />
    public virtual Tensor PredictProbabilities(Tensor inputs) => Inner.PredictProbabilities(inputs);
}

/// <summary>
/// The base of every white-box decorator: forwards <see cref="Logits"/> and <see cref="ClassifierDecorator.PredictProbabilities"/>
/// to <see cref="Inner"/>, which it does not own; a decorator overrides what it changes.
/// </summary>
public abstract class DifferentiableClassifierDecorator : ClassifierDecorator, IDifferentiableClassifier
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected DifferentiableClassifierDecorator(IDifferentiableClassifier inner) : base(inner) => Inner = inner;

    /// <summary>The wrapped classifier.</summary>
    public new IDifferentiableClassifier Inner { get; }

    /// <inheritdoc />
    public virtual Tensor Logits(Tensor inputs) => Inner.Logits(inputs);
}
