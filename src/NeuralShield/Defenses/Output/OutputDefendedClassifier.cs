using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Output;

/// <summary>A black-box classifier whose probabilities pass through an output defense.</summary>
public sealed class OutputDefendedClassifier : ClassifierDecorator
{
    /// <summary>Wraps <paramref name="inner"/> (not owned) with <paramref name="defense"/>.</summary>
    public OutputDefendedClassifier(IClassifier inner, IOutputDefense defense) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(defense);
        Defense = defense;
    }

    /// <summary>The output defense.</summary>
    public IOutputDefense Defense { get; }

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
