using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Output;

/// <summary>A black-box classifier whose probabilities pass through an output defense.</summary>
/// <param name="inner">The defended model (not owned).</param>
/// <param name="defense">The defense its probabilities pass through.</param>
public sealed class OutputDefendedClassifier(IClassifier inner, IOutputDefense defense) : ClassifierDecorator(inner)
{
    /// <summary>The output defense.</summary>
    public IOutputDefense Defense { get; } = defense ?? throw new ArgumentNullException(nameof(defense));

    /// <inheritdoc />
    public override Tensor PredictProbabilities(Tensor inputs) => Reveal(Inner, Defense, inputs);

    /// <summary>What a defended classifier reveals: the defense's transform of the inner classifier's probabilities.</summary>
    internal static Tensor Reveal(IClassifier inner, IOutputDefense defense, Tensor inputs)
    {
        using var _ = no_grad();
        using var probabilities = inner.PredictProbabilities(inputs);
        return defense.Transform(probabilities);
    }
}
