namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Universal adversarial perturbations — Moosavi-Dezfooli, Fawzi, Fawzi, Frossard, "Universal adversarial
/// perturbations", CVPR 2017 (arXiv 1610.08401).
/// <para>
/// Threat model: white box while fitting (DeepFool needs the logits' gradients); the result is ONE image-agnostic
/// perturbation v, ‖v‖_p ≤ ξ, that changes the label of most inputs. Applying it to new data needs no access to
/// the model at all (<see cref="UniversalPerturbationResult.AsAttack"/> is a black-box evasion attack).
/// </para>
/// <para>
/// Algorithm 1 of the paper, as the reference code (LTS4/universal, universal_pert.py) runs it: v ← 0; while the
/// fooling rate on X is below 1 − δ: for each data point x_i (in an order shuffled at every pass), if
/// k̂(x_i + v) = k̂(x_i), run DeepFool (L2, <see cref="DeepFoolSearch"/>) from x_i + v away from k̂(x_i), which gives
/// Δv_i = (1 + η)·Σ r_j, and update v ← P_{p,ξ}(v + Δv_i), the projection onto the ℓ_p ball of radius ξ. As in the
/// reference code, x_i + v is NOT clamped into the model's bounds while fitting (neither for the check nor inside
/// DeepFool), and Δv_i is added only when DeepFool changed the label within its step limit. The fooling rate is the
/// share of points whose predicted label CHANGES, k̂(clamp(x_i + v)) ≠ k̂(x_i) (not the error rate), measured on
/// valid inputs (x + v clamped into the bounds) over the whole set after each pass; the v of the pass with the
/// highest fitting-set fooling rate is returned (not the last pass's). Mini-batches
/// (<see cref="UniversalPerturbationOptions.BatchSize"/>) run DeepFool on several points at one v; BatchSize = 1 is
/// the reference's one-point-at-a-time order.
/// Reference defaults: δ = 0.2, ξ = 10 on 0–255 pixels, p = ∞, overshoot 0.02, at most 10 DeepFool steps.
/// Paper result (ImageNet, ξ = 10 L∞): fooling rates of 78–93% on held-out validation images.
/// </para>
/// <para>
/// <see cref="UniversalPerturbationOptions.Search"/> = <see cref="UniversalSearch.ProjectedGradient"/> selects an
/// optimisation-based search instead (not the paper's algorithm; see that member): sign-gradient ascent of a
/// clamped logit margin on v over mini-batches, returning the v of the epoch with the best fitting-set fooling rate.
/// </para>
/// </summary>
public sealed class UniversalPerturbation : IAttack
{
    private readonly UniversalPerturbationOptions _options;

    /// <summary>Creates the fitter; the options are validated and copied.</summary>
    public UniversalPerturbation(UniversalPerturbationOptions? options = null) => _options = (options ?? new UniversalPerturbationOptions()).Validated();

    /// <summary>A copy of the validated settings; changing it does not change the fitter.</summary>
    public UniversalPerturbationOptions Options => _options.Copy();

    /// <inheritdoc />
    public AttackDescriptor Descriptor => new("Universal perturbation", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.MoosaviDezfooli2017, GoalSupport.Untargeted);

    /// <summary>Fits a universal perturbation on <paramref name="images"/> [N, ...] (inside the model's bounds; not modified).</summary>
    public UniversalPerturbationResult Fit(IDifferentiableClassifier model, Tensor images, CancellationToken cancellationToken = default) =>
        Fit(model, images, null, cancellationToken);

    /// <summary>
    /// Fits a universal perturbation on <paramref name="images"/> [N, ...] (inside the model's bounds; not modified),
    /// reporting each pass to <paramref name="progress"/>.
    /// </summary>
    public UniversalPerturbationResult Fit(IDifferentiableClassifier model, Tensor images, IProgress<UniversalPassReport>? progress,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        InputChecks.Inputs(images, model.Bounds, nameof(images));
        cancellationToken.ThrowIfCancellationRequested();
        if (_options.Search == UniversalSearch.ProjectedGradient) return FitProjectedGradient(model, images, progress, cancellationToken);
        var o = _options;
        var deepFool = new DeepFoolOptions
        {
            Norm = Norm.L2, Overshoot = o.Overshoot, MaxIterations = o.MaxDeepFoolIterations, CandidateClasses = o.CandidateClasses,
        };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var outer = NewDisposeScope();
        var (x, n, clean, v, best) = Start(model, images);
        var passes = 0;
        using (no_grad())
        {
            while (passes < o.MaxPasses)
            {
                passes++;
                var updates = 0;
                var order = LabeledData.Permutation(n, o.Seed + passes - 1, model.Device);
                for (var start = 0; start < n; start += o.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var index = order.narrow(0, start, Math.Min(o.BatchSize, n - start));
                    // x_i + v as the reference code evaluates it while fitting: not clamped.
                    var perturbed = x.index_select(0, index) + v;
                    var labels = clean.index_select(0, index);
                    var notFooled = model.Predict(perturbed).eq(labels).nonzero().squeeze(1);
                    if (notFooled.numel() == 0) continue;
                    using var step = DeepFoolSearch.Run(model, perturbed.index_select(0, notFooled), labels.index_select(0, notFooled),
                        deepFool, clampToBounds: false, cancellationToken);
                    var converged = step.Fooled.nonzero().squeeze(1);
                    var count = (int)converged.numel();
                    if (count == 0) continue;
                    var deltas = step.Perturbation.index_select(0, converged);
                    // Folded in one by one, in the mini-batch's order, each followed by the projection.
                    var next = v;
                    for (var i = 0; i < count; i++) next = Project(next + deltas[i], o.Norm, o.Xi);
                    v.Dispose();
                    v = next.MoveToOuterDisposeScope();
                    updates += count;
                }
                var rate = best.Observe(FoolingRate(model, x, clean, v), v);
                progress?.Report(new UniversalPassReport(passes, rate, updates, NormOf(v, o.Norm), watch.Elapsed));
                if (rate >= 1 - o.Delta) break;
            }
        }
        return best.Result(model.Bounds, o.Norm, o.Xi, passes);
    }

    /// <summary>The fitting set on the model's device, its clean predictions, v = 0 and the best pass so far (v), in the caller's dispose scope.</summary>
    private static (Tensor X, int N, Tensor Clean, Tensor V, BestPass Best) Start(IDifferentiableClassifier model, Tensor images)
    {
        var x = images.detach().to(model.Device).to_type(ScalarType.Float32);
        Tensor clean;
        using (no_grad()) clean = model.Predict(x);
        var v = zeros(x.shape.Skip(1).ToArray(), dtype: ScalarType.Float32, device: model.Device);
        return (x, (int)x.shape[0], clean, v, new BestPass(v));
    }

    /// <summary>
    /// <see cref="UniversalSearch.ProjectedGradient"/>: one forward and backward pass per mini-batch; after every
    /// epoch the fitting-set fooling rate is measured and the best v so far kept. Stops early at 1 − δ.
    /// </summary>
    private UniversalPerturbationResult FitProjectedGradient(IDifferentiableClassifier model, Tensor images,
        IProgress<UniversalPassReport>? progress, CancellationToken cancellationToken)
    {
        var o = _options;
        var alpha = o.StepSize ?? o.Xi / 20;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var outer = NewDisposeScope();
        var (x, n, clean, v, best) = Start(model, images);
        var epochs = 0;
        while (epochs < o.Epochs)
        {
            epochs++;
            var order = LabeledData.Permutation(n, o.Seed + epochs - 1, model.Device);
            var steps = 0;
            for (var start = 0; start < n; start += o.GradientBatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(o.GradientBatchSize, n - start));
                Tensor gradient;
                using (enable_grad())
                {
                    using var leaf = v.detach().requires_grad_(true);
                    var logits = model.Logits(model.Bounds.Clamp(x.index_select(0, index) + leaf));
                    var margin = ClampedMargin(logits, clean.index_select(0, index), o.Kappa);
                    gradient = autograd.grad([margin], [leaf])[0];
                }
                using (no_grad())
                {
                    var direction = o.Norm == Norm.LInf ? gradient.sign() : gradient / gradient.norm().clamp_min(1e-12);
                    var next = Project(v + alpha * direction, o.Norm, o.Xi);
                    v.Dispose();
                    v = next.MoveToOuterDisposeScope();
                }
                steps++;
            }
            double rate;
            using (no_grad()) rate = best.Observe(FoolingRate(model, x, clean, v), v);
            progress?.Report(new UniversalPassReport(epochs, rate, steps, NormOf(v, o.Norm), watch.Elapsed));
            if (rate >= 1 - o.Delta) break;
        }
        return best.Result(model.Bounds, o.Norm, o.Xi, epochs);
    }

    /// <summary>Σ over the batch of min(max_{j≠c} Z_j − Z_c, κ), c the clean prediction: the objective to ascend.</summary>
    private static Tensor ClampedMargin(Tensor logits, Tensor labels, double kappa)
    {
        using var index = labels.unsqueeze(1);
        var own = logits.gather(1, index).squeeze(1);
        using var mask = zeros_like(logits, dtype: ScalarType.Bool).scatter_(1, index, ones_like(index, dtype: ScalarType.Bool));
        var others = logits.masked_fill(mask, float.NegativeInfinity).amax(1);
        return (others - own).clamp_max(kappa).sum();
    }

    /// <summary>P_{p,ξ}: the projection of <paramref name="v"/> onto the ℓ_p ball of radius <paramref name="xi"/> centred at 0.</summary>
    internal static Tensor Project(Tensor v, Norm norm, double xi)
    {
        if (norm == Norm.LInf) return v.clamp(-xi, xi);
        var length = v.norm().item<float>();
        return length <= xi ? v.clone() : v * (xi / length);
    }

    /// <summary>The share of <paramref name="x"/> whose prediction on clamp(x + v) differs from <paramref name="clean"/>.</summary>
    internal static double FoolingRate(IClassifier model, Tensor x, Tensor clean, Tensor v, int batchSize = 1024)
    {
        using var scope = NewDisposeScope();
        long changed = 0;
        var n = x.shape[0];
        for (long start = 0; start < n; start += batchSize)
        {
            var len = Math.Min(batchSize, n - start);
            var perturbed = model.Bounds.Clamp(x.narrow(0, start, len) + v);
            // A prediction of −1 (no valid output) never counts as fooled.
            using var predicted = model.Predict(perturbed);
            changed += predicted.ne(clean.narrow(0, start, len)).logical_and(predicted.ge(0)).sum().item<long>();
        }
        return (double)changed / n;
    }

    internal static double NormOf(Tensor v, Norm norm) => norm == Norm.LInf ? v.abs().max().item<float>() : v.norm().item<float>();

}

/// <summary>The best v of a search, by its fitting-set fooling rate, and the rate of every pass (both searches keep it alike).</summary>
internal sealed class BestPass
{
    private readonly List<double> _history = [];
    private Tensor _best;
    private double _rate = -1;

    public BestPass(Tensor start) => _best = start.clone();

    /// <summary>Records a pass's rate and keeps a copy of <paramref name="v"/> when it is the best so far; returns the rate.</summary>
    public double Observe(double rate, Tensor v)
    {
        _history.Add(rate);
        if (rate > _rate)
        {
            _rate = rate;
            _best.Dispose();
            _best = v.clone();
        }
        return rate;
    }

    /// <summary>The result holding the best v (moved out of the caller's dispose scope).</summary>
    public UniversalPerturbationResult Result(InputBounds bounds, Norm norm, double xi, int passes) =>
        new(_best.MoveToOuterDisposeScope(), bounds, norm, xi, _rate, passes, _history);
}
