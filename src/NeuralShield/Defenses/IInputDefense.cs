namespace NeuralShield.Defenses;

/// <summary>An input transformation defense (e.g. squeezing, smoothing) applied before the model; stays differentiable.</summary>
public interface IInputDefense : IDefense
{
    /// <summary>Wraps <paramref name="classifier"/> so that inputs pass through the transformation first; the result does not own it.</summary>
    IDifferentiableClassifier Apply(IDifferentiableClassifier classifier);
}
