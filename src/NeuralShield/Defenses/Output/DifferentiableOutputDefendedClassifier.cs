namespace NeuralShield.Defenses.Output;

/// <summary>
/// A white-box classifier whose revealed probabilities pass through an output defense. Gradient semantics: its
/// <see cref="DifferentiableClassifierDecorator.Logits"/> are the undefended model's (see
/// <see cref="OutputDefenses.Apply(IOutputDefense, IDifferentiableClassifier)"/>).
/// </summary>
public sealed class DifferentiableOutputDefendedClassifier : DifferentiableClassifierDecorator
{
    /// <summary>Wraps <paramref name="inner"/> (not owned) with <paramref name="defense"/>.</summary>
    public DifferentiableOutputDefendedClassifier(IDifferentiableClassifier inner, IOutputDefense defense) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(defense);
        Defense = defense;
    }

    /// <summary>The output defense.</summary>
    public IOutputDefense Defense { get; }

    /// <inheritdoc />
    public override Tensor PredictProbabilities(Tensor inputs) => OutputDefendedClassifier.Reveal(Inner, Defense, inputs);
}
