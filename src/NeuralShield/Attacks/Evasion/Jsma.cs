using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Jacobian-based saliency map attack (JSMA) — Papernot, McDaniel, Jha, Fredrikson, Celik, Swami,
/// "The Limitations of Deep Learning in Adversarial Settings", IEEE EuroS&amp;P 2016 (arXiv 1511.07528),
/// Algorithms 1–3.
/// <para>
/// Threat model: white box (the forward derivative ∂F/∂x of the model), targeted, L0: few features change,
/// each to a bound of the input box.
/// </para>
/// <para>
/// Each iteration computes, for the target t, the gradients ∂F_t/∂x and ∂(Σ_j F_j)/∂x (two gradients, not the
/// full Jacobian); Σ_{j≠t} ∂F_j/∂x is their difference. Over pairs (p, q) of features still in the search
/// domain Γ, α = Σ_{i∈{p,q}} ∂F_t/∂x_i and β = Σ_{i∈{p,q}} Σ_{j≠t} ∂F_j/∂x_i. With θ = +1 the admissible pairs
/// have α &gt; 0 and β &lt; 0 and the attack takes argmax α·|β|; with θ = −1 they have α &lt; 0 and β &gt; 0 and it
/// takes argmax |α|·β. Both features of the chosen pair are set to the bound (upper for θ = +1, lower for
/// θ = −1) and leave Γ. Features already at that bound start outside Γ. A sample stops when the model
/// predicts the target, when it has run ⌊n·γ/2⌋ pair iterations (the reference implementation's budget: at
/// most γ·n features change), or when no admissible pair remains.
/// </para>
/// <para>
/// Parameters, with the paper's MNIST values: F = softmax output (JSMA-F; <see cref="JsmaOutput.Logits"/> gives
/// JSMA-Z), θ = +1, γ (Υ) = 14.5%. Paper result on MNIST (LeNet): 97.1% success, 4.02% of features changed
/// on average over successful samples.
/// </para>
/// <para>
/// For F = softmax, Σ_j F_j ≡ 1, so ∂(Σ_j F_j)/∂x is exactly zero and β = −α; the attack uses that exact zero
/// instead of back-propagating a constant (which yields only rounding noise that can flip β's sign when F_t is
/// tiny). For F = Z the second gradient is back-propagated. Before the pair scores are formed, each sample's
/// ∂F_t/∂x and Σ_{j≠t}∂F_j/∂x are divided by their largest magnitude: a positive scale changes neither the signs
/// nor the argmax, and it keeps α·β from underflowing when F_t is very small.
/// </para>
/// <para>
/// All samples of a batch advance together; a sample that is done is dropped from the next iterations'
/// forward and backward passes. The pairwise search is computed block by block under
/// <see cref="JsmaOptions.PairSearchMemoryBytes"/>, vectorised over the samples of a block; ties go to the
/// first pair in (p, q) row-major order whatever the block sizes, so the result does not depend on the budget.
/// </para>
/// </summary>
public sealed class Jsma : EvasionAttackBase<IDifferentiableClassifier>
{
    /// <summary>Bytes of temporaries per pair score in the pairwise search (α and β as float32, two boolean masks, slack).</summary>
    internal const long PairSearchBytesPerScore = 12;

    private readonly JsmaOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option lies outside its range.</exception>
    public Jsma(JsmaOptions? options = null) => _options = (options ?? new JsmaOptions()).Validated();

    /// <summary>The validated settings.</summary>
    public JsmaOptions Options => _options;

    /// <inheritdoc />
    protected override bool SupportsUntargeted => false;

    /// <summary>
    /// The number of iterations a sample of <paramref name="featureCount"/> features may run under budget
    /// <paramref name="gamma"/>: ⌊n·γ/2⌋, as in the reference implementation (each iteration changes two features).
    /// </summary>
    public static int IterationBudget(long featureCount, double gamma)
    {
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, "featureCount must be positive.");
        if (!(gamma > 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must lie in (0, 1].");
        // The tiny slack absorbs binary rounding of n·γ (e.g. 100·0.02); 2·⌊n·γ/2 + ε⌋ still never exceeds ⌈n·γ⌉.
        return (int)Math.Min(int.MaxValue, Math.Floor(featureCount * gamma / 2 + 1e-9));
    }

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var o = _options;
        var count = inputs.shape[0];
        var sampleShape = inputs.shape.Skip(1).ToArray();
        var features = sampleShape.Aggregate(1L, (a, b) => a * b);
        var increase = o.Direction == JsmaDirection.Increase;
        var bounds = model.Bounds;
        var bound = increase ? bounds.Upper : bounds.Lower;

        var x = inputs.reshape(count, features).clone();
        var domain = increase ? x.lt(bounds.Upper) : x.gt(bounds.Lower);
        var active = ones(count, dtype: ScalarType.Bool, device: x.device);
        var targets = goal.Labels;
        var budget = IterationBudget(features, o.Gamma);

        for (var iteration = 0; iteration < budget; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var index = active.nonzero().view(-1);
            var s = index.shape[0];
            if (s == 0) break;

            var batch = x.index_select(0, index).view([s, .. sampleShape]);
            var derivatives = Derivatives(model, batch, targets.index_select(0, index), o.Output);
            var reached = derivatives.Reached;
            if (reached.any().item<bool>()) active.index_fill_(0, index.masked_select(reached), false);
            if (derivatives.Target is null) break; // every active sample has reached its target

            var pending = reached.logical_not().nonzero().view(-1);
            var rows = index.index_select(0, pending);
            var target = derivatives.Target.index_select(0, pending);
            var others = derivatives.Others!.index_select(0, pending);
            var inDomain = domain.index_select(0, rows);

            var (first, second, found) = o.Search == JsmaSearch.Pairwise
                ? BestPairs(target, others, inDomain, increase, o.PairSearchMemoryBytes, cancellationToken)
                : TopTwoFeatures(target, inDomain, increase);

            var stuck = found.logical_not();
            if (stuck.any().item<bool>()) active.index_fill_(0, rows.masked_select(stuck), false);
            var changed = rows.masked_select(found);
            if (changed.shape[0] == 0) continue;
            var flat = cat([changed * features + first.masked_select(found), changed * features + second.masked_select(found)], 0);
            x.view(-1).index_fill_(0, flat, bound);
            domain.view(-1).index_fill_(0, flat, false);
        }
        return x.view(inputs.shape);
    }

    /// <summary>
    /// One forward pass over the active samples: which of them the model already puts in their target class, and for
    /// the others (when any) ∂F_t/∂x and Σ_{j≠t} ∂F_j/∂x, flattened to [S, n].
    /// </summary>
    private static (Tensor Reached, Tensor? Target, Tensor? Others) Derivatives(IDifferentiableClassifier model, Tensor batch, Tensor targets, JsmaOutput output)
    {
        using var enable = enable_grad();
        var leaf = batch.detach().requires_grad_(true);
        var logits = model.Logits(leaf);
        var reached = logits.detach().argmax(1).eq(targets);
        if (reached.all().item<bool>()) return (reached, null, null);

        var s = batch.shape[0];
        var f = output == JsmaOutput.Probabilities ? logits.softmax(1) : logits;
        var targetSum = f.gather(1, targets.unsqueeze(1)).sum();
        Tensor target, others;
        if (output == JsmaOutput.Probabilities)
        {
            target = autograd.grad([targetSum], [leaf])[0].reshape(s, -1);
            // Σ_j softmax_j ≡ 1, so ∂(Σ_j F_j)/∂x = 0 exactly and Σ_{j≠t} ∂F_j/∂x = 0 − ∂F_t/∂x.
            others = target.neg();
        }
        else
        {
            target = autograd.grad([targetSum], [leaf], retain_graph: true)[0].reshape(s, -1);
            var total = autograd.grad([f.sum()], [leaf])[0].reshape(s, -1);
            others = total - target;
        }
        return (reached, target.detach(), others.detach());
    }

    /// <summary>
    /// The paper's pairwise saliency search for each sample of a batch: the pair p &lt; q of features in the domain
    /// with θ·α &gt; 0 and θ·β &lt; 0 that maximises −α·β (ties: the first in row-major order). Returns p, q and whether
    /// an admissible pair exists, each [S]. Memory of one block stays within <paramref name="memoryBytes"/>.
    /// </summary>
    internal static (Tensor First, Tensor Second, Tensor Found) BestPairs(Tensor targetGradient, Tensor othersGradient, Tensor domain,
        bool increase, long memoryBytes, CancellationToken cancellationToken)
    {
        var samples = targetGradient.shape[0];
        var n = targetGradient.shape[1];
        var theta = increase ? 1f : -1f;
        // θ·α > 0 and θ·β < 0 with score −α·β: the same test for both directions on θ-signed gradients.
        // A feature outside the domain gets −∞, so every pair that holds it has α = −∞ and is inadmissible.
        var a = (ScaleToUnit(targetGradient) * theta).masked_fill_(domain.logical_not(), float.NegativeInfinity);
        var b = ScaleToUnit(othersGradient) * theta;

        var best = full(samples, float.NegativeInfinity, dtype: ScalarType.Float32, device: a.device);
        var bestP = zeros(samples, dtype: ScalarType.Int64, device: a.device);
        var bestQ = zeros(samples, dtype: ScalarType.Int64, device: a.device);
        var group = SamplesPerGroup(samples, n, memoryBytes);
        for (long g0 = 0; g0 < samples; g0 += group)
        {
            var g = Math.Min(group, samples - g0);
            var aG = a.narrow(0, g0, g);
            var bG = b.narrow(0, g0, g);
            var bestG = best.narrow(0, g0, g);
            var bestPG = bestP.narrow(0, g0, g);
            var bestQG = bestQ.narrow(0, g0, g);
            for (long p0 = 0; p0 < n - 1;)
            {
                var (rows, columns) = BlockShape(g, p0, n, memoryBytes);
                // Columns q in (p0, n); with several rows the block also covers q ≤ p below the diagonal, masked out.
                for (var c0 = p0 + 1; c0 < n; c0 += columns)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var width = Math.Min(columns, n - c0);
                    ScoreBlock(aG, bG, p0, rows, c0, width, bestG, bestPG, bestQG);
                }
                p0 += rows;
            }
        }
        return (bestP, bestQ, best.gt(float.NegativeInfinity));
    }

    /// <summary>Scores rows [p0, p0+rows) × columns [c0, c0+width) for a group of samples and folds the block's best into the running best.</summary>
    private static void ScoreBlock(Tensor a, Tensor b, long p0, long rows, long c0, long width, Tensor best, Tensor bestP, Tensor bestQ)
    {
        using var scope = NewDisposeScope();
        var g = a.shape[0];
        var alpha = a.narrow(1, p0, rows).unsqueeze(2) + a.narrow(1, c0, width).unsqueeze(1);
        var invalid = alpha.le(0f);
        var beta = b.narrow(1, p0, rows).unsqueeze(2) + b.narrow(1, c0, width).unsqueeze(1);
        invalid.logical_or_(beta.ge(0f));
        var score = alpha.mul_(beta).neg_();
        beta.Dispose();
        score.masked_fill_(invalid, float.NegativeInfinity);
        invalid.Dispose();
        // Below or on the diagonal (q ≤ p) in the block's first columns: q = c0 + j ≤ p = p0 + i.
        var overlap = Math.Min(width, p0 + rows - c0);
        if (overlap > 0)
        {
            var i = arange(rows, dtype: ScalarType.Int64, device: a.device).unsqueeze(1) + p0;
            var j = arange(overlap, dtype: ScalarType.Int64, device: a.device).unsqueeze(0) + c0;
            score.narrow(2, 0, overlap).masked_fill_(j.le(i), float.NegativeInfinity);
        }
        var (values, flat) = score.view(g, rows * width).max(1);
        var p = flat.div(width, RoundingMode.floor) + p0;
        var q = flat.remainder(width) + c0;
        var better = values.gt(best);
        best.copy_(where(better, values, best));
        bestP.copy_(where(better, p, bestP));
        bestQ.copy_(where(better, q, bestQ));
    }

    /// <summary>
    /// ART's variant: the two domain features with the largest θ·∂F_t/∂x_i, each on its own. Found when the
    /// domain still holds two features.
    /// </summary>
    internal static (Tensor First, Tensor Second, Tensor Found) TopTwoFeatures(Tensor targetGradient, Tensor domain, bool increase)
    {
        var n = targetGradient.shape[1];
        var theta = increase ? 1f : -1f;
        var signed = (targetGradient * theta).masked_fill_(domain.logical_not(), float.NegativeInfinity);
        if (n < 2)
        {
            var none = zeros(targetGradient.shape[0], dtype: ScalarType.Int64, device: targetGradient.device);
            return (none, none.clone(), zeros(targetGradient.shape[0], dtype: ScalarType.Bool, device: targetGradient.device));
        }
        var (_, indices) = signed.topk(2, dim: 1);
        var found = domain.sum(1).ge(2);
        return (indices.select(1, 0).contiguous(), indices.select(1, 1).contiguous(), found);
    }

    /// <summary>Samples per group in the pair search: as many as fit one full row of pair scores each within the budget (at least one).</summary>
    internal static long SamplesPerGroup(long samples, long features, long memoryBytes)
    {
        var scores = Math.Max(1, memoryBytes / PairSearchBytesPerScore);
        return Math.Clamp(scores / Math.Max(1, features - 1), 1, samples);
    }

    /// <summary>
    /// The block of pair scores for a group of <paramref name="groupSamples"/> samples starting at row
    /// <paramref name="rowStart"/>: as many rows as fit with all columns right of <paramref name="rowStart"/>
    /// within the budget, or one row and as many columns as fit. Rows × columns × samples × 12 bytes stays within
    /// <paramref name="memoryBytes"/> whenever one score per sample fits.
    /// </summary>
    internal static (long Rows, long Columns) BlockShape(long groupSamples, long rowStart, long features, long memoryBytes)
    {
        var scores = Math.Max(1, memoryBytes / PairSearchBytesPerScore);
        var width = features - rowStart - 1;
        var remainingRows = features - 1 - rowStart;
        if (width <= 0) return (1, 1);
        if (groupSamples * width <= scores)
            return (Math.Clamp(scores / (groupSamples * width), 1, remainingRows), width);
        return (1, Math.Clamp(scores / groupSamples, 1, width));
    }

    /// <summary>Each row divided by its largest magnitude (rows of zeros stay zero).</summary>
    private static Tensor ScaleToUnit(Tensor gradient)
    {
        var scale = gradient.abs().amax([1], keepdim: true);
        return gradient / scale.masked_fill_(scale.eq(0f), 1f);
    }
}
