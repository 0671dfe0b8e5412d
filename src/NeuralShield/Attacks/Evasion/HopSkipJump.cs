using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// HopSkipJump — Chen, Jordan, Wainwright, "HopSkipJumpAttack: A Query-Efficient Decision-Based Attack", IEEE S&amp;P 2020
/// (arXiv 1904.02144), Algorithm 2. Threat model: label only (each query returns the predicted class), untargeted, no
/// perturbation budget: the attack minimises the L2 or L∞ distance under a query budget. From a first adversarial (random
/// uniform points, then a binary search toward the input), each iteration t: estimates the direction of the boundary's
/// normal at the current boundary point from B₀·√t random probes at radius δ_t (Monte Carlo with the mean as baseline),
/// steps along it (sign for L∞) by ξ = ‖x_t − x*‖/√t halved until the step stays adversarial (geometric progression),
/// and returns to the boundary by a binary search between the input and the new point (tolerance θ = γ/d^{3/2} for L2,
/// γ/d² for L∞). Every query is counted against <see cref="HopSkipJumpOptions.MaxQueries"/> per sample; a sample whose
/// budget runs out keeps the last adversarial it reached (a binary search interrupted keeps its adversarial end). Batched:
/// each phase sends the points of all samples still running in one call. A sample for which no adversarial was found
/// keeps its input; one the model already misclassifies is returned unchanged.
/// </summary>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
public sealed class HopSkipJump(HopSkipJumpOptions? options = null) : EvasionAttack<IClassifier, HopSkipJumpOptions>(options ?? new HopSkipJumpOptions())
{
    private const int MaxHalvings = 30;
    private const int ProbeBatch = 4096;

    /// <inheritdoc />
    public override AttackDescriptor Descriptor =>
        new(Settings.Norm == Norm.L2 ? "HopSkipJump L2" : "HopSkipJump L∞", AttackFamily.Evasion, ModelAccess.LabelOnly, Papers.Chen2020, GoalSupport.Untargeted);

    /// <inheritdoc />
    protected override Tensor Perturb(IClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        using var run = new DecisionOracle(model, goal.Labels, Settings.MaxQueries);
        var n = inputs.shape[0];
        var d = inputs[0].numel();
        var lInf = Settings.Norm == Norm.LInf;
        var theta = lInf ? Settings.Gamma / ((double)d * d) : Settings.Gamma / (d * Math.Sqrt(d));
        var bounds = model.Bounds;
        var device = inputs.device;
        using var generator = new Generator(unchecked((ulong)Settings.Seed));

        using var held = new HeldTensors();
        // A sample the model already gets wrong needs nothing; the others start from random uniform points of the box.
        var all = arange(n, device: device);
        var already = run.Ask(inputs, all);
        var (current, found) = DecisionOracle.RandomStart(run, inputs, already, Settings.InitialTries, generator, cancellationToken);
        held.Keep(current, found);
        var live = found.logical_and(already.logical_not());
        held.Keep(live);
        if (live.any().item<bool>())
        {
            var idx = live.nonzero().squeeze(1);
            current = current.index_copy(0, idx, DecisionOracle.BlendSearch(run, inputs.index_select(0, idx), current.index_select(0, idx), idx, 0.001));
            held.Keep(current);
        }
        Tensor distance, boundaryDistance;
        using (NewDisposeScope())
        {
            (current, boundaryDistance) = BinarySearch(run, inputs, current, live, theta);
            distance = boundaryDistance.clone();
            held.Keep(current, boundaryDistance, distance);
        }
        for (var t = 1; t <= Settings.MaxIterations; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var iteration = NewDisposeScope();
            live = live.logical_and(run.Left.gt(0));
            if (!live.any().item<bool>()) break;
            var idx = live.nonzero().squeeze(1);
            var x = inputs.index_select(0, idx);
            var boundary = current.index_select(0, idx);
            // δ_t: a tenth of the box at the first iteration, then √d·θ·dist (L2) or d·θ·dist (L∞) at the last boundary point.
            var delta = t == 1
                ? full(idx.shape[0], 0.1 * bounds.Range, dtype: inputs.dtype, device: device)
                : boundaryDistance.index_select(0, idx) * (float)((lInf ? d : Math.Sqrt(d)) * theta);
            var probes = (int)Math.Min(Settings.InitialEvaluations * Math.Sqrt(t), Settings.MaxEvaluations);
            var (direction, estimated) = EstimateDirection(run, boundary, idx, delta, probes, bounds, lInf, generator);
            var update = lInf ? direction.sign() : direction;
            // Geometric progression: ξ = dist/√t, halved until the step stays adversarial.
            var xi = distance.index_select(0, idx) / (float)Math.Sqrt(t);
            var accepted = zeros(idx.shape[0], dtype: ScalarType.Bool, device: device);
            var pending = estimated;
            for (var halving = 0; halving < MaxHalvings; halving++)
            {
                pending = pending.logical_and(accepted.logical_not()).logical_and(run.Left.index_select(0, idx).gt(0));
                if (!pending.any().item<bool>()) break;
                var at = pending.nonzero().squeeze(1);
                var trial = bounds.Clamp(boundary.index_select(0, at) + PerSample.Broadcast(xi.index_select(0, at), update.index_select(0, at)) * update.index_select(0, at));
                var ok = run.Ask(trial, idx.index_select(0, at));
                accepted = accepted.index_copy(0, at, ok);
                xi = xi.index_copy(0, at, where(ok, xi.index_select(0, at), xi.index_select(0, at) / 2));
            }
            var stepped = PerSample.Where(accepted, bounds.Clamp(boundary + PerSample.Broadcast(xi, update) * update), boundary);
            var next = current.index_copy(0, idx, stepped);
            var stepMask = zeros(n, dtype: ScalarType.Bool, device: device).index_copy(0, idx, accepted);
            var (searched, post) = BinarySearch(run, inputs, next, stepMask, theta);
            current = PerSample.Where(stepMask, searched, current);
            boundaryDistance = where(stepMask, post, boundaryDistance);
            distance = where(stepMask, Norms(current - inputs, lInf), distance);
            // A sample whose step found nothing adversarial in all its halvings, or whose probes were cut by the budget, stops.
            live = live.logical_and(zeros(n, dtype: ScalarType.Bool, device: device).index_copy(0, idx, accepted));
            held.Keep(current, boundaryDistance, distance, live);
            held.ReleaseAllBut([current, found, boundaryDistance, distance, live]);
        }
        return PerSample.Where(found, current, inputs);
    }

    private static Tensor Norms(Tensor difference, bool lInf) => PerSample.Norms(difference, lInf ? Norm.LInf : Norm.L2);

    /// <summary>
    /// The binary search toward the input for the samples of <paramref name="mask"/> (the others keep their point): on the
    /// blend factor for L2 (tolerance θ), on the L∞ radius for L∞ (tolerance min(θ·dist, θ)); the adversarial end is returned
    /// with its distance to the input.
    /// </summary>
    private (Tensor Points, Tensor Distance) BinarySearch(DecisionOracle run, Tensor inputs, Tensor adversarial, Tensor mask, double theta)
    {
        var lInf = Settings.Norm == Norm.LInf;
        var distance = Norms(adversarial - inputs, lInf);
        var idx = mask.nonzero().squeeze(1);
        if (idx.numel() == 0) return (adversarial.clone(), distance);
        var x = inputs.index_select(0, idx);
        var p = adversarial.index_select(0, idx);
        var start = distance.index_select(0, idx);
        var high = lInf ? start : ones_like(start);
        var tolerance = lInf ? minimum(start * (float)theta, full_like(start, theta)) : full_like(start, theta);
        Tensor Project(Tensor alpha) => lInf
            ? minimum(maximum(p, x - PerSample.Broadcast(alpha, x)), x + PerSample.Broadcast(alpha, x))
            : x + PerSample.Broadcast(alpha, x) * (p - x);
        var result = adversarial.index_copy(0, idx, DecisionOracle.Search(run, Project, high, tolerance, idx));
        return (result, Norms(result - inputs, lInf));
    }

    /// <summary>
    /// The Monte Carlo estimate of the boundary's normal at <paramref name="boundary"/> [m, ...]: <paramref name="probes"/>
    /// unit directions u_b (Gaussian for L2, uniform in the cube for L∞, normalised), the points clamp(x + δ·u_b) sent to
    /// the model, and the mean of (φ_b − mean φ)·u_b with φ = ±1 (adversarial or not; without the baseline when all agree),
    /// L2-normalised. A sample's probes are cut to its remaining budget; one with none left gets no estimate (false).
    /// </summary>
    private static (Tensor Direction, Tensor Estimated) EstimateDirection(DecisionOracle run, Tensor boundary, Tensor owners, Tensor delta, int probes,
        InputBounds bounds, bool lInf, Generator generator)
    {
        var m = boundary.shape[0];
        var device = boundary.device;
        var shape = new long[] { m, probes }.Concat(boundary.shape.Skip(1)).ToArray();
        var draw = (lInf ? rand(shape, generator: generator) * 2 - 1 : randn(shape, generator: generator)).to(device);
        var flat = draw.flatten(2);
        var unit = flat / flat.norm(2, true, 2.0f).clamp_min(1e-12);
        var centre = boundary.flatten(1).unsqueeze(1);
        var scale = delta.view(m, 1, 1);
        var points = bounds.Clamp(centre + scale * unit);
        var directions = (points - centre) / scale;
        var allowed = run.Left.index_select(0, owners).clamp_max(probes);
        var valid = arange(probes, device: device).unsqueeze(0).lt(allowed.unsqueeze(1));
        var chosen = valid.flatten().nonzero().squeeze(1);
        var sent = points.view(m * probes, -1).index_select(0, chosen).view(new long[] { -1 }.Concat(boundary.shape.Skip(1)).ToArray());
        var answer = run.Ask(sent, owners.repeat_interleave(probes).index_select(0, chosen));
        var phi = zeros(m * probes, dtype: boundary.dtype, device: device).index_copy(0, chosen, answer.to_type(boundary.dtype) * 2 - 1).view(m, probes);
        var count = valid.sum(1).to_type(boundary.dtype);
        var mean = phi.sum(1) / count.clamp_min(1);
        var unanimous = mean.abs().eq(1);
        var weights = where(unanimous.unsqueeze(1), phi, (phi - mean.unsqueeze(1)) * valid.to_type(phi.dtype));
        var gradient = (weights.unsqueeze(2) * directions).sum(1) / count.clamp_min(1).unsqueeze(1);
        var normalised = gradient / gradient.norm(1, true, 2.0f).clamp_min(1e-12);
        return (normalised.view(boundary.shape), count.gt(0));
    }
}
