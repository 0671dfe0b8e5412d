using NeuralShield.Attacks.Core;

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
/// tiny), so JSMA-F costs one backward pass per iteration; for F = Z the second gradient is back-propagated.
/// Before the pair scores are formed, each sample's ∂F_t/∂x and Σ_{j≠t}∂F_j/∂x are divided by their largest
/// magnitude: a positive scale changes neither the signs nor the argmax, and it keeps α·β from underflowing when
/// F_t is very small.
/// </para>
/// <para>
/// All samples of a batch advance together; a sample that is done is dropped from the next iterations'
/// forward and backward passes. The pairwise search scores rows (sample, p) × columns q &gt; p block by block
/// under <see cref="JsmaOptions.PairSearchMemoryBytes"/>, vectorised over the samples; rows whose upper bound is
/// below the score of a known pair are skipped (<see cref="JsmaOptions.PairSearchPruning"/>, exact). Ties go to
/// the first pair in (p, q) row-major order whatever the blocks, so the result depends neither on the budget nor
/// on the pruning.
/// </para>
/// </summary>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
/// <exception cref="ArgumentOutOfRangeException">An option lies outside its range.</exception>
public sealed class Jsma(JsmaOptions? options = null) : EvasionAttack<IDifferentiableClassifier, JsmaOptions>(options ?? new JsmaOptions())
{
    /// <summary>
    /// Bytes of temporaries per pair score in the pairwise search: the gathered α and β' columns and the score as
    /// float32, the q ≤ p mask, and slack.
    /// </summary>
    internal const long PairSearchBytesPerScore = 20;

    /// <summary>Rows per sample that the pruned pair search scores first, to bound the best score from below.</summary>
    private const long FirstRows = 4;

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(
        Settings.Output == JsmaOutput.Probabilities ? "JSMA-F" : "JSMA-Z", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.Papernot2016Jsma, GoalSupport.Targeted);

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
        var o = Settings;
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
        if (budget == 0)
            throw new ArgumentOutOfRangeException(nameof(JsmaOptions.Gamma), o.Gamma,
                $"Gamma = {o.Gamma} allows no pair iteration on {features} features (⌊n·γ/2⌋ = 0); it must be at least {2.0 / features:G3}.");

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
            var others = derivatives.Others?.index_select(0, pending);
            var inDomain = domain.index_select(0, rows);

            var (first, second, found) = o.Search == JsmaSearch.Pairwise
                ? BestPairs(target, others, inDomain, increase, o.PairSearchMemoryBytes, cancellationToken, o.PairSearchPruning)
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
    /// the others (when any) ∂F_t/∂x and Σ_{j≠t} ∂F_j/∂x = ∂(Σ_j F_j)/∂x − ∂F_t/∂x, flattened to [S, n]. For F = softmax,
    /// Σ_j F_j ≡ 1 makes the second term exactly −∂F_t/∂x; it is returned as null, which the pair search reads as that.
    /// </summary>
    private static (Tensor Reached, Tensor? Target, Tensor? Others) Derivatives(IDifferentiableClassifier model, Tensor batch, Tensor targets, JsmaOutput output)
    {
        var s = batch.shape[0];
        var index = targets.unsqueeze(1);
        AttackObjective[] objectives = output == JsmaOutput.Probabilities
            ? [logits => logits.softmax(1).gather(1, index).sum()]
            : [logits => logits.gather(1, index).sum(), logits => logits.sum()];
        var g = InputGradient.Of(model, batch, objectives);
        var reached = g.Logits.argmax(1).eq(targets);
        if (reached.all().item<bool>()) return (reached, null, null);
        var target = g.Gradients[0].reshape(s, -1);
        if (output == JsmaOutput.Probabilities) return (reached, target, null);
        return (reached, target, g.Gradients[1].reshape(s, -1) - target);
    }

    /// <summary>
    /// The paper's pairwise saliency search (Algorithm 3) for each sample of a batch: among pairs p &lt; q of features
    /// in the domain, the pair with θ·α &gt; 0, θ·β &lt; 0 and the largest −α·β &gt; 0 (ties: the first in row-major
    /// order). <paramref name="othersGradient"/> null means Σ_{j≠t}∂F_j/∂x = −∂F_t/∂x exactly (F = softmax).
    /// Returns p, q and whether an admissible pair exists, each [S]. The temporaries of one block stay within
    /// <paramref name="memoryBytes"/>.
    /// </summary>
    /// <remarks>
    /// On θ-signed, unit-scaled gradients a and b' = −b, the score of an admissible pair is α·β' with α, β' &gt; 0,
    /// i.e. relu(α)·relu(β'), which is 0 for every other pair; the paper starts its running max at 0 and keeps a pair
    /// only when its score is strictly larger, so a pair is found exactly when the best score is &gt; 0. A feature
    /// outside the domain gets −∞ in a and b', so every pair that holds it scores 0.
    /// <para>
    /// With <paramref name="prune"/>, rows that cannot hold the best pair are skipped, exactly: row p's scores are at
    /// most u_p = relu(a_p + max a)·relu(b'_p + max b') (rounding is monotone, so this holds for the computed floats
    /// too). The few rows with the largest u_p are scored first; their best score c bounds the best from below, so
    /// only the rows with u_p ≥ c can hold a best pair or a tie, and they alone are scored next. The result is the
    /// same with or without pruning.
    /// </para>
    /// </remarks>
    internal static (Tensor First, Tensor Second, Tensor Found) BestPairs(Tensor targetGradient, Tensor? othersGradient, Tensor domain,
        bool increase, long memoryBytes, CancellationToken cancellationToken, bool prune = true)
    {
        var samples = targetGradient.shape[0];
        var n = targetGradient.shape[1];
        var device = targetGradient.device;
        var theta = increase ? 1f : -1f;
        var outside = domain.logical_not();
        var a = (ScaleToUnit(targetGradient) * theta).masked_fill_(outside, float.NegativeInfinity);
        var b = othersGradient is null ? null : (ScaleToUnit(othersGradient) * -theta).masked_fill_(outside, float.NegativeInfinity);

        // Upper bound of each row's scores.
        var bound = Score(a + a.amax([1], keepdim: true), b is null ? null : b + b.amax([1], keepdim: true));
        // Best score and its column for every (sample, row) scored; rows not scored keep 0.
        var rowBest = zeros(samples * n, dtype: ScalarType.Float32, device: device);
        var rowColumn = zeros(samples * n, dtype: ScalarType.Int64, device: device);
        var candidate = prune ? bound.gt(0f) : ones(samples, n, dtype: ScalarType.Bool, device: device);
        candidate.narrow(1, n - 1, 1).fill_(false); // the last row has no q > p
        if (prune && n >= 2)
        {
            // Score the few rows with the largest bounds first: their best is a much tighter lower bound.
            var m = Math.Min(FirstRows, n - 1);
            var top = bound.narrow(1, 0, n - 1).topk((int)m, dim: 1).indexes;
            var list = stack([arange(samples, dtype: ScalarType.Int64, device: device).repeat_interleave(m), top.reshape(-1)], 1);
            ScoreRowList(a, b, list, memoryBytes, rowBest, rowColumn, cancellationToken);
            // The best score is at least theirs: a row whose bound is lower can hold neither the best pair nor a tie.
            var floor = rowBest.view(samples, n).amax([1], keepdim: true);
            candidate.scatter_(1, top, zeros_like(top, dtype: ScalarType.Bool)).logical_and_(bound.ge(floor));
        }

        // The (sample, row) index list costs 16 bytes a row: list the rows of a few samples at a time.
        var samplesPerList = Math.Max(1, memoryBytes / (16 * n));
        for (long s0 = 0; s0 < samples; s0 += samplesPerList)
        {
            using var listScope = NewDisposeScope();
            var survivors = candidate.narrow(0, s0, Math.Min(samplesPerList, samples - s0)).nonzero();
            survivors.select(1, 0).add_(s0);
            ScoreRowList(a, b, survivors, memoryBytes, rowBest, rowColumn, cancellationToken);
        }

        var best = rowBest.view(samples, n);
        var bestValue = best.amax([1], keepdim: true);
        var first = best.eq(bestValue).to_type(ScalarType.Int32).argmax(1); // the first row that holds the best score
        var second = rowColumn.view(samples, n).gather(1, first.unsqueeze(1)).squeeze(1);
        return (first, second, bestValue.squeeze(1).gt(0f));
    }

    /// <summary>relu(α)·relu(β'), or relu(α)² when β' = α (F = softmax).</summary>
    private static Tensor Score(Tensor alpha, Tensor? beta)
    {
        var score = alpha.clamp_min(0f);
        return beta is null ? score.mul_(score) : score.mul_(beta.clamp_min(0f));
    }

    /// <summary>Scores every row (sample, p) of <paramref name="list"/> [K, 2] against the columns q &gt; p, in blocks within the budget.</summary>
    private static void ScoreRowList(Tensor a, Tensor? b, Tensor list, long memoryBytes, Tensor rowBest, Tensor rowColumn, CancellationToken cancellationToken)
    {
        var n = a.shape[1];
        var count = list.shape[0];
        var rowsPerBlock = RowsPerBlock(n, memoryBytes);
        for (long k0 = 0; k0 < count; k0 += rowsPerBlock)
        {
            var k = Math.Min(rowsPerBlock, count - k0);
            using var scope = NewDisposeScope();
            var block = list.narrow(0, k0, k);
            var sampleOf = block.select(1, 0).contiguous();
            var row = block.select(1, 1).contiguous();
            var flat = sampleOf * n + row;
            // Columns q > p only, from the block's lowest row on (a sample's rows come in ascending order).
            var c0 = row.min().item<long>() + 1;
            var columns = ColumnsPerBlock(k, n - c0, memoryBytes);
            for (var c = c0; c < n; c += columns)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ScoreRows(a, b, sampleOf, row, flat, c, Math.Min(columns, n - c), rowBest, rowColumn);
            }
        }
    }

    /// <summary>Scores the rows (sample, p) of a block against columns [c0, c0+width) and folds each row's best into the running best.</summary>
    private static void ScoreRows(Tensor a, Tensor? b, Tensor sampleOf, Tensor row, Tensor flat, long c0, long width, Tensor rowBest, Tensor rowColumn)
    {
        using var scope = NewDisposeScope();
        var n = a.shape[1];
        var aRow = a.view(-1).index_select(0, flat).unsqueeze(1);
        var score = a.narrow(1, c0, width).index_select(0, sampleOf).add_(aRow).clamp_min_(0f);
        if (b is null)
        {
            score.mul_(score); // β' = α exactly when Σ_{j≠t}∂F_j/∂x = −∂F_t/∂x
        }
        else
        {
            var bRow = b.view(-1).index_select(0, flat).unsqueeze(1);
            var beta = b.narrow(1, c0, width).index_select(0, sampleOf).add_(bRow).clamp_min_(0f);
            score.mul_(beta);
            beta.Dispose();
        }
        var columns = arange(c0, c0 + width, dtype: ScalarType.Int64, device: a.device).unsqueeze(0);
        score.masked_fill_(columns.le(row.unsqueeze(1)), 0f); // q ≤ p
        var (values, index) = score.max(1);
        var previous = rowBest.index_select(0, flat);
        var better = values.gt(previous);
        rowBest.index_copy_(0, flat, where(better, values, previous));
        rowColumn.index_copy_(0, flat, where(better, index + c0, rowColumn.index_select(0, flat)));
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

    /// <summary>Rows (sample, p) per block of the pair search: as many full rows of <paramref name="features"/> scores as fit the budget (at least one).</summary>
    internal static long RowsPerBlock(long features, long memoryBytes) =>
        Math.Max(1, memoryBytes / PairSearchBytesPerScore / Math.Max(1, features));

    /// <summary>Columns per block for <paramref name="rows"/> rows of <paramref name="width"/> columns: all of them, or as many as fit the budget.</summary>
    internal static long ColumnsPerBlock(long rows, long width, long memoryBytes) =>
        Math.Clamp(memoryBytes / PairSearchBytesPerScore / Math.Max(1, rows), 1, Math.Max(1, width));

    /// <summary>Each row divided by its largest magnitude (rows of zeros stay zero).</summary>
    private static Tensor ScaleToUnit(Tensor gradient)
    {
        var scale = gradient.abs().amax([1], keepdim: true);
        return gradient / scale.masked_fill_(scale.eq(0f), 1f);
    }
}
