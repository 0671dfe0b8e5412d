using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Output;

/// <summary>
/// Reveals only the predicted label, as the one-hot vector of the argmax (the first maximal class). The strongest
/// output restriction, and still not a defense against membership inference: the gap attack (member iff the label is
/// right) keeps an advantage of half the generalisation gap (Yeom et al. 2018; Choquette-Choo et al. 2021 go further
/// with label-only attacks).
/// </summary>
public sealed class LabelOnlyOutput : IOutputDefense
{
    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("Label-only output", DefenseKind.Output, Papers.Shokri2017, [AttackFamily.Inference]);

    /// <inheritdoc />
    public Tensor Transform(Tensor probabilities) => ProbabilityRows.Map(probabilities, (p, argmax, output) =>
    {
        output.Clear();
        output[argmax] = 1;
    });
}
