using NeuralShield.Attacks.Poisoning;

namespace NeuralShield.Defenses.Data;

/// <summary>Conveniences shared by the sanitizers.</summary>
public static class Sanitizers
{
    /// <summary>Inspects the poisoned set of <paramref name="poisoned"/> and scores the flags against its known poisoned indices (<see cref="SanitizationReport.Detection"/>).</summary>
    public static SanitizationReport Inspect(this IDataDefense<SanitizationReport> defense, PoisonedData poisoned, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(defense);
        ArgumentNullException.ThrowIfNull(poisoned);
        return defense.Inspect(poisoned.Data, cancellationToken).WithKnownPoison(poisoned.Indices);
    }

    /// <summary>
    /// The activations of <paramref name="model"/> at the output of its layer <paramref name="layerFromEnd"/> places before
    /// the last (1: the penultimate layer, the input of the logits layer), flattened to [N, D], computed in batches
    /// without autograd: the learned representation activation clustering and spectral signatures read.
    /// </summary>
    /// <exception cref="ArgumentException">The module is not sequential or has too few layers.</exception>
    public static Tensor Representation(ITorchModel model, Tensor inputs, int layerFromEnd = 1, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        Guard.Positive(layerFromEnd, nameof(layerFromEnd));
        Guard.Positive(batchSize, nameof(batchSize));
        if (model.Module is not TorchSharp.Modules.Sequential)
            throw new ArgumentException($"The model's module must be an nn.Sequential (as the ModelZoo models are); got {model.Module.GetType().Name}.", nameof(model));
        var layers = model.Module.named_children().Select(c => c.module).Cast<nn.Module<Tensor, Tensor>>().ToArray();
        if (layers.Length <= layerFromEnd)
            throw new ArgumentException($"The model has {layers.Length} layers; cannot stop {layerFromEnd} before the last.", nameof(layerFromEnd));
        var keep = layers.Length - layerFromEnd;
        using var _ = no_grad();
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < inputs.shape[0]; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var h = inputs.narrow(0, start, Math.Min(batchSize, inputs.shape[0] - start)).to(model.Device).to_type(ScalarType.Float32);
                for (var i = 0; i < keep; i++) h = layers[i].forward(h);
                parts.Add(h.flatten(1).cpu().MoveToOuterDisposeScope());
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>Rows of a 2-D float tensor as double arrays.</summary>
    internal static double[][] Rows(Tensor matrix)
    {
        using var m = matrix.to_type(ScalarType.Float64).cpu().contiguous();
        var flat = m.data<double>().ToArray();
        var (n, d) = ((int)m.shape[0], (int)m.shape[1]);
        var rows = new double[n][];
        for (var i = 0; i < n; i++) rows[i] = flat.AsSpan(i * d, d).ToArray();
        return rows;
    }

    /// <summary>Indices of each class in <paramref name="data"/>.</summary>
    internal static List<int>[] ByClass(LabeledData data)
    {
        var labels = data.Labels.cpu().data<long>().ToArray();
        var groups = Enumerable.Range(0, data.ClassCount).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < labels.Length; i++) groups[labels[i]].Add(i);
        return groups;
    }

    /// <summary>The data without the rows <paramref name="flagged"/> (a copy); refuses to remove every row.</summary>
    internal static LabeledData Without(LabeledData data, IReadOnlyCollection<long> flagged)
    {
        if (flagged.Count == 0) return data.Slice(0, data.Count);
        var set = flagged as ISet<long> ?? new HashSet<long>(flagged);
        var keep = Enumerable.Range(0, data.Count).Select(i => (long)i).Where(i => !set.Contains(i)).ToArray();
        if (keep.Length == 0) throw new InvalidOperationException("The sanitizer flagged every point; nothing would be left to train on.");
        return data.Subset(keep);
    }
}
