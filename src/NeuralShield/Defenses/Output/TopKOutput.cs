using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Output;

/// <summary>
/// Reveals only the k most likely classes: the k largest probabilities are kept, the others set to 0, and the kept
/// ones renormalised to sum to 1 (Shokri et al., S&amp;P 2017, Section VI: "restrict the prediction vector to top k
/// classes"). Ties for the k-th place go to the lower class index, so the predicted class is always kept. k = 1
/// reveals a one-hot vector (the same as <see cref="LabelOnlyOutput"/>).
/// </summary>
/// <param name="k">How many of the largest probabilities are kept (positive).</param>
public sealed class TopKOutput(int k) : IOutputDefense
{
    /// <summary>How many classes are revealed.</summary>
    public int K { get; } = Guard.Positive(k, nameof(k));

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new($"Top-{K} output", DefenseKind.Output, Papers.Shokri2017, [AttackFamily.Inference]);

    /// <inheritdoc />
    public Tensor Transform(Tensor probabilities) => ProbabilityRows.Map(probabilities, (p, argmax, output) =>
    {
        // Stable order: larger probability first, lower index first among equals.
        var order = new int[p.Length];
        for (var j = 0; j < order.Length; j++) order[j] = j;
        var values = p.ToArray();
        Array.Sort(order, (a, b) => values[a] != values[b] ? values[b].CompareTo(values[a]) : a.CompareTo(b));
        output.Clear();
        double sum = 0;
        for (var r = 0; r < Math.Min(K, order.Length); r++) sum += p[order[r]];
        for (var r = 0; r < Math.Min(K, order.Length); r++) output[order[r]] = sum > 0 ? p[order[r]] / sum : (order[r] == argmax ? 1 : 0);
    });
}
