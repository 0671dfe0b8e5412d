using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Output;

/// <summary>Applying output defenses as decorators.</summary>
public static class OutputDefenses
{
    /// <summary>The black-box classifier that reveals <paramref name="defense"/>'s output; it does not own <paramref name="classifier"/>.</summary>
    public static IClassifier Apply(this IOutputDefense defense, IClassifier classifier) => new OutputDefendedClassifier(classifier, defense);

    /// <summary>
    /// The defended classifier with a differentiable view: <see cref="IClassifier.PredictProbabilities"/> reveals the
    /// defended output, while <see cref="IDifferentiableClassifier.Logits"/> are the undefended model's — the gradient an
    /// attacker who knows the defense would take (output defenses keep the predicted class, so an adversarial of the
    /// undefended logits is one of the defended model). The library's success check uses the defended output.
    /// </summary>
    public static IDifferentiableClassifier Apply(this IOutputDefense defense, IDifferentiableClassifier classifier) =>
        new DifferentiableOutputDefendedClassifier(classifier, defense);

    /// <summary>
    /// The output defense <paramref name="classifier"/> answers through: the defenses of the output-defended decorators
    /// in its decorator chain, as one (the innermost first); null when it answers undefended. What an attacker who knows
    /// the defense puts in front of its own shadows or substitute.
    /// </summary>
    public static IOutputDefense? Find(IClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var found = new List<IOutputDefense>();
        for (var c = classifier; c is ClassifierDecorator decorator; c = decorator.Inner)
        {
            if (decorator is OutputDefendedClassifier d) found.Add(d.Defense);
            else if (decorator is DifferentiableOutputDefendedClassifier w) found.Add(w.Defense);
        }
        found.Reverse();
        return found.Count switch { 0 => null, 1 => found[0], _ => new OutputDefenseStack(found) };
    }

    /// <summary>Several output defenses applied in order (the first to the model's output) as one.</summary>
    public static IOutputDefense Stack(params IOutputDefense[] defenses) => new OutputDefenseStack(defenses);
}
