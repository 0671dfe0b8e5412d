namespace NeuralShield.Models;

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
