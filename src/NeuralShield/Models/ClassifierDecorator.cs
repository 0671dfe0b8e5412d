namespace NeuralShield.Models;

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
