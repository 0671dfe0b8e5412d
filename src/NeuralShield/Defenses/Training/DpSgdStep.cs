using NeuralShield.Privacy;

namespace NeuralShield.Defenses.Training;

/// <summary>
/// The update of DP-SGD (Abadi et al., CCS 2016, Algorithm 1) on one lot: per-sample gradients of the cross-entropy
/// (<see cref="PerSampleGradients"/>), each sample's whole gradient (over all parameters) clipped to L2 norm C —
/// g_n · min(1, C / ‖g_n‖) —, summed, Gaussian noise N(0, σ²C²) added to every coordinate, divided by the expected
/// lot size L, written to the parameters' <c>.grad</c> and applied by the optimiser (plain SGD in the paper).
/// <para>
/// The noise comes from a CPU generator seeded from <see cref="Seed"/> and the global step, then moved to the model's
/// device, so runs are reproducible and agree across devices. This is libtorch's Mersenne twister, not a
/// cryptographically secure source: fine for research and audits, not a production privacy guarantee against an
/// adversary who can predict the generator.
/// </para>
/// <para>
/// With σ = 0 and C = +∞ the update is the gradient of the mean loss (plain SGD). With Poisson sampling
/// (<see cref="DifferentiallyPrivateTraining"/>) pass the expected lot size qN; with fixed batches leave it null and the
/// batch's own size is used.
/// </para>
/// </summary>
/// <param name="clipNorm">The clipping norm C (positive; +∞: no clipping, only with σ = 0).</param>
/// <param name="noiseMultiplier">σ: the noise standard deviation over C (non-negative).</param>
/// <param name="expectedBatchSize">The divisor L (positive); null: each batch's size.</param>
/// <param name="seed">Seed of the noise.</param>
/// <exception cref="ArgumentOutOfRangeException">A value is out of range, or C = +∞ with noise.</exception>
public sealed class DpSgdStep(double clipNorm, double noiseMultiplier, double? expectedBatchSize = null, long seed = 0) : ITrainingStep
{
    /// <summary>The clipping norm C.</summary>
    public double ClipNorm { get; } = Checked(clipNorm, noiseMultiplier, expectedBatchSize);

    /// <summary>The noise multiplier σ.</summary>
    public double NoiseMultiplier { get; } = noiseMultiplier;

    /// <summary>The divisor L of the noisy sum; null: each batch's size.</summary>
    public double? ExpectedBatchSize { get; } = expectedBatchSize;

    /// <summary>Seed of the noise (step k draws from a generator seeded by it and k).</summary>
    public long Seed { get; } = seed;

    /// <summary>The constructor's checks, before any property is set; returns <paramref name="clipNorm"/>.</summary>
    private static double Checked(double clipNorm, double noiseMultiplier, double? expectedBatchSize)
    {
        if (!(clipNorm > 0)) throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clipNorm must be positive (or +∞ for no clipping).");
        Guard.NonNegative(noiseMultiplier, nameof(noiseMultiplier));
        if (double.IsPositiveInfinity(clipNorm) && noiseMultiplier > 0)
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "An infinite clipNorm bounds no sensitivity; the noise σ·C would be infinite. Use σ = 0 or a finite C.");
        if (expectedBatchSize is { } l) Guard.Positive(l, nameof(expectedBatchSize));
        return clipNorm;
    }

    /// <inheritdoc />
    public double Run(Tensor inputs, Tensor labels, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Update(context.Model, context.Optimizer, inputs, labels, context.Step);
    }

    /// <summary>
    /// One DP-SGD update of <paramref name="model"/> on the lot (<paramref name="inputs"/>, <paramref name="labels"/>)
    /// with <paramref name="optimizer"/>; the noise is seeded by <see cref="Seed"/> and <paramref name="step"/>. An empty
    /// lot (possible under Poisson sampling) gets the noise alone. Returns the lot's mean loss (0 when empty).
    /// </summary>
    /// <exception cref="ArgumentException">The model holds parameters outside Linear and Conv2d layers.</exception>
    public double Update(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor inputs, Tensor labels, long step)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        var layers = PerSampleGradients.Layers.Of(model, nameof(model));
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var n = inputs.shape[0];
        var sums = new Dictionary<PerSampleGradients.Layer, (Tensor Weight, Tensor? Bias)>();
        double meanLoss = 0;
        if (n > 0)
        {
            var trace = PerSampleGradients.Trace.Run(model, layers, inputs, labels);
            using var noGrad = no_grad();
            var parts = layers.Select(trace.SquaredNorms).ToList();
            var norms = parts.Select(p => p.SquaredNorms).Aggregate((a, b) => a + b).sqrt();
            var factors = double.IsPositiveInfinity(ClipNorm) ? ones_like(norms) : (ClipNorm / (norms + 1e-6)).clamp_max(1.0);
            for (var i = 0; i < layers.Count; i++) sums[layers[i]] = trace.WeightedSum(layers[i], factors, parts[i].Weight, parts[i].Bias);
            meanLoss = trace.Losses.mean().item<float>();
        }
        using (no_grad())
        {
            var divisor = ExpectedBatchSize ?? Math.Max(1, n);
            var std = NoiseMultiplier == 0 ? 0 : NoiseMultiplier * ClipNorm;
            using var generator = new Generator(unchecked((ulong)(Seed * 1_000_003 + step)));
            foreach (var layer in layers)
            {
                var (w, b) = sums.TryGetValue(layer, out var s) ? s : (zeros_like(layer.Weight), layer.Bias is null ? null : zeros_like(layer.Bias));
                if (layer.Weight.requires_grad) layer.Weight.grad = Noisy(w, std, divisor, generator);
                if (layer.Bias is { requires_grad: true } bias) bias.grad = Noisy(b!, std, divisor, generator);
            }
        }
        optimizer.step();
        return meanLoss;
    }

    private static Tensor Noisy(Tensor sum, double std, double divisor, Generator generator)
    {
        if (std == 0) return sum / divisor;
        var noise = randn(sum.shape, dtype: sum.dtype, generator: generator).to(sum.device);
        return (sum + std * noise) / divisor;
    }
}
