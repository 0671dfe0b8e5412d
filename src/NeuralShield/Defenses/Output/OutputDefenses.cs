using NeuralShield.Attacks;
using NeuralShield.Models;
using static TorchSharp.torch;

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

    /// <summary>Several output defenses applied in order (the first to the model's output) as one.</summary>
    public static IOutputDefense Stack(params IOutputDefense[] defenses) => new OutputDefenseStack(defenses);
}
