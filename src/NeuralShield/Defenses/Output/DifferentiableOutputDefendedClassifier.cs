namespace NeuralShield.Defenses.Output;

/// <summary>
/// A white-box classifier whose revealed probabilities pass through an output defense. Gradient semantics: its
/// <see cref="DifferentiableClassifierDecorator.Logits"/> are the undefended model's (see
/// <see cref="OutputDefenses.Apply(IOutputDefense, IDifferentiableClassifier)"/>).
/// </summary>
/// <param name="inner">The defended model (not owned).</param>
/// <param name="defense">The defense its probabilities pass through.</param>
public sealed class DifferentiableOutputDefendedClassifier(IDifferentiableClassifier inner, IOutputDefense defense) : DifferentiableClassifierDecorator(inner)
{
    /// <summary>The output defense.</summary>
    public IOutputDefense Defense { get; } = defense ?? throw new ArgumentNullException(nameof(defense));

    /// <inheritdoc />
    public override Tensor PredictProbabilities(Tensor inputs) => OutputDefendedClassifier.Reveal(Inner, Defense, inputs);
}
