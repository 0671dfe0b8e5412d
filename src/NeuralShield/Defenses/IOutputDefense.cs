namespace NeuralShield.Defenses;

/// <summary>
/// An output defense: changes the probabilities a classifier reveals (temperature, top-k, rounding, label only) while
/// keeping its predicted class. Applied as a decorator (<see cref="Output.OutputDefenses.Apply(IOutputDefense, IClassifier)"/>),
/// so every attack runs against the defended classifier unchanged.
/// </summary>
public interface IOutputDefense : IDefense
{
    /// <summary>The revealed output [N, C] for the model's probabilities [N, C]; a fresh tensor, no autograd.</summary>
    Tensor Transform(Tensor probabilities);
}
