namespace NeuralShield.Attacks.Evasion;

/// <summary>How <see cref="UniversalPerturbation"/> searches for v.</summary>
public enum UniversalSearch
{
    /// <summary>
    /// The paper's Algorithm 1 (Moosavi-Dezfooli et al. 2017): v ← P_{p,ξ}(v + Δv_i) with Δv_i DeepFool's minimal
    /// step from x_i + v, for the points not yet fooled (in mini-batches, see
    /// <see cref="UniversalPerturbationOptions.BatchSize"/>). The default.
    /// </summary>
    DeepFoolLoop,

    /// <summary>
    /// Not the paper's algorithm: stochastic projected gradient ascent on v itself, in the line of Shafahi et al.,
    /// "Universal adversarial training", AAAI 2020 (arXiv 1812.03705). Over shuffled mini-batches B of the fitting
    /// set, v ← P_{p,ξ}(v + α·sign(∇_v Σ_{x∈B} L(clamp(x + v)))) (L∞; for L2 the gradient is divided by its L2 norm),
    /// with L the logit margin max_{j≠k̂(x)} Z_j − Z_{k̂(x)} away from the CLEAN prediction k̂(x), clamped above at
    /// κ (<see cref="UniversalPerturbationOptions.Kappa"/>) so that points already fooled by a margin κ stop pulling v.
    /// Shafahi et al. clip the cross-entropy instead; the clamped logit margin is the same idea in the
    /// Carlini–Wagner form. The v with the best fitting-set fooling rate over the epochs is returned.
    /// </summary>
    ProjectedGradient,
}

/// <summary>Settings of <see cref="UniversalPerturbation"/>.</summary>
public sealed class UniversalPerturbationOptions : OptionsBase<UniversalPerturbationOptions>
{
    /// <summary>The search: the paper's <see cref="UniversalSearch.DeepFoolLoop"/> (default) or <see cref="UniversalSearch.ProjectedGradient"/>.</summary>
    public UniversalSearch Search { get; set; } = UniversalSearch.DeepFoolLoop;

    /// <summary>
    /// Radius ξ of the ball the perturbation v is projected onto, in the model's input units. The reference code
    /// uses ξ = 10 on 0–255 pixels (L∞); for a model on [0, 1] pixels that is 10/255 ≈ 0.039, the default here.
    /// In general ξ_model = ξ_pixels · (Upper − Lower) / 255 for a model whose bounds map the 0–255 range.
    /// </summary>
    public double Xi { get; set; } = 10.0 / 255.0;

    /// <summary>The ball of the projection P_{p,ξ}: <see cref="Norm.LInf"/> (reference default) or <see cref="Norm.L2"/>.</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>Desired fooling rate 1 − δ: fitting stops once the fooling rate on the fitting set reaches it. Paper: δ = 0.2.</summary>
    public double Delta { get; set; } = 0.2;

    /// <summary>
    /// Most passes over the data. The reference code has no limit (it loops until the fooling rate reaches 1 − δ);
    /// a finite default keeps a run bounded when 1 − δ is out of reach at radius ξ. Default 10.
    /// </summary>
    public int MaxPasses { get; set; } = 10;

    /// <summary>DeepFool overshoot η. Reference code: 0.02.</summary>
    public double Overshoot { get; set; } = 0.02;

    /// <summary>Most DeepFool steps for each data point. Reference code: 10.</summary>
    public int MaxDeepFoolIterations { get; set; } = 10;

    /// <summary>DeepFool candidate classes (top classes by logit). Reference code: 10.</summary>
    public int CandidateClasses { get; set; } = 10;

    /// <summary>
    /// <see cref="UniversalSearch.DeepFoolLoop"/> only: data points handed to DeepFool at once. 1 is the reference
    /// code's order exactly: each point is checked and attacked at the v updated by all points before it. With
    /// B &gt; 1 (default 32), v is fixed within a mini-batch of B consecutive shuffled points: those not fooled by
    /// it run DeepFool together at x_i + v, and the Δv_i of those whose label changed are then folded into v one by
    /// one, in the mini-batch's order, each followed by the projection, v ← P_{p,ξ}(v + Δv_i) — the reference's
    /// sequence of updates, except that Δv_i is computed at the v of the start of its mini-batch and a point fooled
    /// by an earlier update of the same mini-batch still adds its own. (Adding the mean of the mini-batch's Δv_i
    /// instead fooled fewer points on MNIST.)
    /// </summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Seed of the shuffle of the data at each pass (pass p uses Seed + p − 1).</summary>
    public long Seed { get; set; }

    /// <summary>
    /// <see cref="UniversalSearch.ProjectedGradient"/> only: the step α of each mini-batch update, in input units
    /// (L∞: per entry; L2: the length of the step). Null (default): ξ / 20.
    /// </summary>
    public double? StepSize { get; set; }

    /// <summary><see cref="UniversalSearch.ProjectedGradient"/> only: passes (epochs) over the fitting set. Default 20.</summary>
    public int Epochs { get; set; } = 20;

    /// <summary><see cref="UniversalSearch.ProjectedGradient"/> only: points per gradient step. Default 64.</summary>
    public int GradientBatchSize { get; set; } = 64;

    /// <summary>
    /// <see cref="UniversalSearch.ProjectedGradient"/> only: the clamp κ of the logit-margin loss; a point fooled
    /// by a margin of κ or more no longer contributes to the gradient. Default 1.
    /// </summary>
    public double Kappa { get; set; } = 1.0;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(Xi, nameof(Xi));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "The projection supports the L∞ and L2 balls.");
        if (!(Delta > 0 && Delta < 1)) throw new ArgumentOutOfRangeException(nameof(Delta), Delta, "Delta must lie strictly between 0 and 1 (the target fooling rate is 1 − Delta).");
        Guard.Positive(MaxPasses, nameof(MaxPasses));
        Guard.NonNegative(Overshoot, nameof(Overshoot));
        Guard.Positive(MaxDeepFoolIterations, nameof(MaxDeepFoolIterations));
        if (CandidateClasses < 2) throw new ArgumentOutOfRangeException(nameof(CandidateClasses), CandidateClasses, "CandidateClasses must be at least 2.");
        Guard.Positive(BatchSize, nameof(BatchSize));
        if (!Enum.IsDefined(Search)) throw new ArgumentOutOfRangeException(nameof(Search), Search, "Unknown search.");
        if (StepSize is { } step) Guard.Positive(step, nameof(StepSize));
        Guard.Positive(Epochs, nameof(Epochs));
        Guard.Positive(GradientBatchSize, nameof(GradientBatchSize));
        Guard.NonNegative(Kappa, nameof(Kappa));
    }
}

/// <summary>One pass of <see cref="UniversalPerturbation.Fit(IDifferentiableClassifier, Tensor, IProgress{UniversalPassReport}?, CancellationToken)"/>.</summary>
/// <param name="Pass">1-based pass number (the epoch for <see cref="UniversalSearch.ProjectedGradient"/>).</param>
/// <param name="FoolingRate">Fooling rate on the fitting set after the pass.</param>
/// <param name="Updates">Data points whose DeepFool step was added to v during the pass (for <see cref="UniversalSearch.ProjectedGradient"/>: gradient steps).</param>
/// <param name="Norm">‖v‖ in the projection's norm after the pass.</param>
/// <param name="Elapsed">Time since fitting started.</param>
public readonly record struct UniversalPassReport(int Pass, double FoolingRate, int Updates, double Norm, TimeSpan Elapsed);

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
        var x = images.detach().to(model.Device).to_type(ScalarType.Float32);
        var n = (int)x.shape[0];
        Tensor clean;
        using (no_grad()) clean = model.Predict(x);
        var v = zeros(x.shape.Skip(1).ToArray(), dtype: ScalarType.Float32, device: model.Device);
        var best = new BestPass(v);
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
        var x = images.detach().to(model.Device).to_type(ScalarType.Float32);
        var n = (int)x.shape[0];
        Tensor clean;
        using (no_grad()) clean = model.Predict(x);
        var v = zeros(x.shape.Skip(1).ToArray(), dtype: ScalarType.Float32, device: model.Device);
        var best = new BestPass(v);
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

/// <summary>
/// A fitted universal perturbation v and how it did on the fitting set. Owns <see cref="Perturbation"/>.
/// </summary>
public sealed class UniversalPerturbationResult : IDisposable
{
    internal UniversalPerturbationResult(Tensor perturbation, InputBounds bounds, Norm norm, double xi, double foolingRate, int passes, IReadOnlyList<double> history)
    {
        Perturbation = perturbation;
        Bounds = bounds;
        Norm = norm;
        Xi = xi;
        FittingFoolingRate = foolingRate;
        Passes = passes;
        FoolingRateHistory = history;
    }

    /// <summary>The universal perturbation v, one sample's shape (no batch dimension), on the model's device.</summary>
    public Tensor Perturbation { get; }

    /// <summary>The model's input bounds, into which <see cref="Apply"/> clamps.</summary>
    public InputBounds Bounds { get; }

    /// <summary>The norm of the ball v was projected onto.</summary>
    public Norm Norm { get; }

    /// <summary>The radius ξ of that ball.</summary>
    public double Xi { get; }

    /// <summary>
    /// Fooling rate of <see cref="Perturbation"/> on the fitting set: the share of its points whose predicted label
    /// changed; the best pass's (or epoch's) rate, since the best v is returned.
    /// </summary>
    public double FittingFoolingRate { get; }

    /// <summary>Passes (epochs) made over the fitting set.</summary>
    public int Passes { get; }

    /// <summary>The fitting-set fooling rate after each pass.</summary>
    public IReadOnlyList<double> FoolingRateHistory { get; }

    /// <summary>‖v‖ in <see cref="Norm"/>.</summary>
    public double PerturbationNorm => UniversalPerturbation.NormOf(Perturbation, Norm);

    /// <summary>A new tensor: clamp(images + v), for images [N, ...] of v's shape (moved to v's device).</summary>
    public Tensor Apply(Tensor images)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var x = images.to(Perturbation.device).to_type(ScalarType.Float32);
        return Bounds.Clamp(x + Perturbation).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The share of <paramref name="images"/> whose predicted label under <paramref name="model"/> changes when v is
    /// added (clamped to the bounds): k̂(x + v) ≠ k̂(x). Counts changed labels, not errors.
    /// </summary>
    public double FoolingRate(IClassifier model, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckImages(images);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = images.to(model.Device).to_type(ScalarType.Float32);
        var v = Perturbation.to(model.Device);
        var clean = model.Predict(x);
        return UniversalPerturbation.FoolingRate(model, x, clean, v);
    }

    /// <summary>A black-box evasion attack that adds this v (a copy of it) to every input; the caller disposes it.</summary>
    public UniversalPerturbationAttack AsAttack() => new(Perturbation);

    private void CheckImages(Tensor images)
    {
        Guard.Finite(images, nameof(images));
        Guard.Batch(images, nameof(images));
        if (!images.shape.Skip(1).SequenceEqual(Perturbation.shape))
            throw new ArgumentException($"images must have shape [N, {string.Join(", ", Perturbation.shape)}]; got [{string.Join(", ", images.shape)}].", nameof(images));
    }

    /// <inheritdoc />
    public void Dispose() => Perturbation.Dispose();
}

/// <summary>
/// Applies a fixed universal perturbation v to new data: x' = clamp(x + v). Black box at apply time (the model is
/// queried only by the library's success check). Holds its own copy of v; dispose it when done.
/// </summary>
public sealed class UniversalPerturbationAttack : EvasionAttackBase<IClassifier>, IDisposable
{
    private readonly Tensor _perturbation;

    /// <summary>Creates the attack from <paramref name="perturbation"/> (one sample's shape), which is copied.</summary>
    public UniversalPerturbationAttack(Tensor perturbation)
    {
        ArgumentNullException.ThrowIfNull(perturbation);
        if (perturbation.IsInvalid) throw new ObjectDisposedException(nameof(perturbation));
        if (!perturbation.dtype.IsFloatingPoint()) throw new ArgumentException($"perturbation must be a floating-point tensor; got {perturbation.dtype}.", nameof(perturbation));
        _perturbation = perturbation.detach().to_type(ScalarType.Float32).clone();
    }

    /// <summary>The shape of the samples this attack applies to.</summary>
    public IReadOnlyList<long> SampleShape => _perturbation.shape;

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("Universal perturbation", AttackFamily.Evasion, ModelAccess.Probabilities, Papers.MoosaviDezfooli2017, GoalSupport.Untargeted);

    /// <inheritdoc />
    protected override Tensor Perturb(IClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        if (!inputs.shape.Skip(1).SequenceEqual(_perturbation.shape))
            throw new ArgumentException($"inputs must have shape [N, {string.Join(", ", _perturbation.shape)}]; got [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        return inputs + _perturbation.to(inputs.device);
    }

    /// <inheritdoc />
    public void Dispose() => _perturbation.Dispose();
}
