using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// The Boundary attack — Brendel, Rauber, Bethge, "Decision-Based Adversarial Attacks: Reliable Attacks Against Black-Box
/// Machine Learning Models", ICLR 2018 (arXiv 1712.04248), §3. Threat model: label only, untargeted, minimises the L2
/// distance under a query budget. From a first adversarial (random uniform points of the box, then a binary search toward
/// the input), a random walk along the boundary: each step draws a Gaussian direction, scales it to δ times the current
/// distance and projects it onto the sphere around the input through the current point (the orthogonal step), then moves
/// toward the input by ε times the distance (the source step); the candidate replaces the current point when it is still
/// adversarial. Every <see cref="BoundaryAttackOptions.AdaptationInterval"/> steps δ is multiplied by 1.5 when more than
/// half of the orthogonal candidates were adversarial and divided when fewer than a fifth, and ε likewise from the full
/// candidates' success (the paper's schedule). Two queries per step and sample; the budget is never exceeded. Batched: one
/// step sends the candidates of all samples still running in one call.
/// </summary>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
public sealed class BoundaryAttack(BoundaryAttackOptions? options = null) : EvasionAttack<IClassifier, BoundaryAttackOptions>(options ?? new BoundaryAttackOptions())
{
    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("Boundary", AttackFamily.Evasion, ModelAccess.LabelOnly, Papers.Brendel2018, GoalSupport.Untargeted);

    /// <inheritdoc />
    protected override Tensor Perturb(IClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        using var oracle = new DecisionOracle(model, goal.Labels, Settings.MaxQueries);
        var n = inputs.shape[0];
        var device = inputs.device;
        var bounds = model.Bounds;
        using var generator = new Generator(unchecked((ulong)Settings.Seed));
        using var held = new HeldTensors();
        var already = oracle.Ask(inputs, arange(n, device: device));
        var (current, found) = DecisionOracle.RandomStart(oracle, inputs, already, Settings.InitialTries, generator, cancellationToken);
        var live = found.logical_and(already.logical_not());
        held.Keep(current, found, live);
        if (live.any().item<bool>())
        {
            var idx = live.nonzero().squeeze(1);
            current = current.index_copy(0, idx, DecisionOracle.BlendSearch(oracle, inputs.index_select(0, idx), current.index_select(0, idx), idx, 0.001));
            held.Keep(current);
        }
        Tensor spherical, source, sphericalHits, sourceHits;
        using (NewDisposeScope())
        {
            spherical = full(n, Settings.SphericalStep, dtype: inputs.dtype, device: device);
            source = full(n, Settings.SourceStep, dtype: inputs.dtype, device: device);
            sphericalHits = zeros(n, dtype: inputs.dtype, device: device);
            sourceHits = zeros(n, dtype: inputs.dtype, device: device);
            held.Keep(spherical, source, sphericalHits, sourceHits);
        }
        var factor = (float)Settings.StepAdaptation;
        for (var step = 1; ; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var iteration = NewDisposeScope();
            // Two queries per step: a sample with fewer left stops here.
            live = live.logical_and(oracle.Left.ge(2));
            if (!live.any().item<bool>()) break;
            var idx = live.nonzero().squeeze(1);
            var x = inputs.index_select(0, idx);
            var point = current.index_select(0, idx);
            var toPoint = point - x;
            var distance = PerSample.Norms(toPoint, Norm.L2);
            // The orthogonal step: a Gaussian direction of length δ·d without its component along x̃ − x, then back onto the sphere of radius d.
            var shape = new long[] { idx.shape[0] }.Concat(inputs.shape.Skip(1)).ToArray();
            var eta = randn(shape, generator: generator).to(device).to_type(inputs.dtype);
            var unit = PerSample.L2Normalise(toPoint);
            eta = eta - unit * PerSample.Broadcast((eta * unit).flatten(1).sum(1), eta);
            eta = PerSample.L2Normalise(eta) * PerSample.Broadcast(spherical.index_select(0, idx) * distance, eta);
            var onSphere = x + (toPoint + eta) * PerSample.Broadcast(distance / PerSample.Norms(toPoint + eta, Norm.L2).clamp_min(1e-12), eta);
            var orthogonal = bounds.Clamp(onSphere);
            // The source step: ε·d toward the input.
            var candidate = bounds.Clamp(x + (orthogonal - x) * PerSample.Broadcast(1 - source.index_select(0, idx), x));
            var ask = oracle.Ask(cat([orthogonal, candidate], 0), cat([idx, idx], 0));
            var m = idx.shape[0];
            var orthogonalOk = ask.narrow(0, 0, m);
            var candidateOk = ask.narrow(0, m, m);
            current = current.index_copy(0, idx, PerSample.Where(candidateOk, candidate, point));
            sphericalHits = sphericalHits.index_add(0, idx, orthogonalOk.to_type(inputs.dtype), 1);
            sourceHits = sourceHits.index_add(0, idx, candidateOk.to_type(inputs.dtype), 1);
            if (step % Settings.AdaptationInterval == 0)
            {
                var interval = (float)Settings.AdaptationInterval;
                var sphericalRate = sphericalHits / interval;
                var sourceRate = sourceHits / interval;
                spherical = where(sphericalRate.gt(0.5f), spherical * factor, where(sphericalRate.lt(0.2f), spherical / factor, spherical));
                source = where(sourceRate.gt(0.5f), source * factor, where(sourceRate.lt(0.2f), source / factor, source));
                sphericalHits = zeros_like(sphericalHits);
                sourceHits = zeros_like(sourceHits);
            }
            held.Keep(current, live, spherical, source, sphericalHits, sourceHits);
            held.ReleaseAllBut([current, found, live, spherical, source, sphericalHits, sourceHits]);
        }
        return PerSample.Where(found, current, inputs);
    }
}
