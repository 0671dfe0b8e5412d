using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// FAB, targeted (FAB-T) — Croce and Hein, "Minimally distorted adversarial examples with a fast adaptive boundary
/// attack", ICML 2020 (arXiv 1907.02044), in the targeted form AutoAttack runs. Threat model: white box, L∞ or L2.
/// For each of the <see cref="FabOptions.TargetClasses"/> classes ranked highest after the true one at the clean input in
/// turn, on the samples still not fooled: linearise the boundary Z_t − Z_y = 0 at the iterate (one forward and one
/// backward pass), project both the iterate and the input onto that hyperplane inside the input box
/// (<see cref="BoxedHyperplane"/>), and step to the mix (1 − α)·(x + η·δ_x) + α·(x₀ + η·δ₀), where
/// α = min(‖δ_x‖/(‖δ_x‖ + ‖δ₀‖), α_max) biases the step towards the input and η extrapolates past the boundary; when the
/// new point is misclassified (one forward pass), it is kept if it is the closest adversarial so far and the iterate is
/// pulled back to x₀ + β·(x − x₀). Restarts after the first start at a random point at distance ε/2. A sample counts as
/// fooled only when its closest adversarial lies within ε (AutoAttack's rule); otherwise it keeps its input. Batched:
/// nothing is read back to the host inside an iteration (one read per run selects the samples still to attack).
/// </summary>
public sealed class Fab(FabOptions? options = null) : EvasionAttack<IDifferentiableClassifier, FabOptions>(options ?? new FabOptions())
{
    /// <inheritdoc />
    public override AttackDescriptor Descriptor =>
        new(Settings.Norm == Norm.L2 ? "FAB-T L2" : "FAB-T", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.Croce2020Fab, GoalSupport.Untargeted);

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var classes = model.ClassCount;
        if (Settings.TargetClasses > classes - 1)
            throw new ArgumentOutOfRangeException(nameof(model), $"TargetClasses is {Settings.TargetClasses}, but the model has only {classes - 1} classes besides the true one.");
        using var generator = new Generator(unchecked((ulong)Settings.Seed));
        var labels = goal.Labels;
        Tensor clean;
        using (no_grad()) clean = model.Logits(inputs).detach();
        var left = clean.argmax(1).eq(labels);
        var ranking = clean.argsort(1, descending: true);
        var adversarial = inputs.clone();
        for (var rank = 1; rank <= Settings.TargetClasses; rank++)
        {
            for (var restart = 0; restart < Settings.Restarts; restart++)
            {
                using var scope = NewDisposeScope();
                var indices = left.nonzero().squeeze(1);
                if (indices.numel() == 0) return adversarial;
                var x = inputs.index_select(0, indices);
                var y = labels.index_select(0, indices);
                var target = ranking.index_select(0, indices).select(1, rank);
                var (closest, distance) = SingleRun(model, x, y, target, restart > 0, generator, cancellationToken);
                var hit = distance.le(Settings.Epsilon);
                adversarial.index_copy_(0, indices, PerSample.Where(hit, closest, x));
                left.index_copy_(0, indices, left.index_select(0, indices).logical_and(hit.logical_not()));
            }
        }
        return adversarial;
    }

    /// <summary>
    /// One run towards <paramref name="target"/> [N]: the closest adversarial found per sample (its input where none) and
    /// its distance (+∞ where none). The run's state lives outside the dispose scopes and is freed once replaced.
    /// </summary>
    private (Tensor Closest, Tensor Distance) SingleRun(IDifferentiableClassifier model, Tensor x0, Tensor y, Tensor target, bool randomStart,
        Generator generator, CancellationToken cancellationToken)
    {
        using var held = new HeldTensors();
        var n = x0.shape[0];
        var norm = Settings.Norm;
        var bounds = model.Bounds;
        var flat0 = x0.flatten(1);
        var pair = stack([y, target], 1);
        AttackObjective objective = logits => TargetMargins(logits, pair).sum();
        Tensor x, closest, distance;
        using (NewDisposeScope())
        {
            x = x0.clone();
            if (randomStart)
            {
                var draw = (norm == Norm.LInf ? rand(x0.shape, generator: generator) * 2 - 1 : randn(x0.shape, generator: generator)).to(x0.device);
                x = bounds.Clamp(x0 + 0.5 * Settings.Epsilon * draw / PerSample.Broadcast(PerSample.Norms(draw, norm), draw));
            }
            closest = x0.clone();
            distance = full(n, double.PositiveInfinity, dtype: x0.dtype, device: x0.device);
            held.Keep(x, closest, distance);
        }
        for (var i = 0; i < Settings.Steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var iteration = NewDisposeScope();
            // The linearised boundary ⟨w, z⟩ = b of f = Z_t − Z_y at x, and the projections of x and x₀ onto it.
            using var linear = InputGradient.Of(model, x, objective);
            var w = linear.Gradient.flatten(1);
            var b = (w * x.flatten(1)).sum(1) - TargetMargins(linear.Logits, pair);
            var both = BoxedHyperplane.Step(cat([x.flatten(1), flat0]), cat([w, w]), cat([b, b]), bounds, norm);
            var lengths = PerSample.Norms(both, norm).clamp_min(1e-8);
            var (toX, toX0) = (lengths.narrow(0, 0, n), lengths.narrow(0, n, n));
            var alpha = (toX / (toX + toX0)).clamp(0, Settings.AlphaMax);
            var a = PerSample.Broadcast(alpha, x);
            var dx = both.narrow(0, 0, n).view_as(x);
            var dx0 = both.narrow(0, n, n).view_as(x);
            var next = bounds.Clamp((x + Settings.Eta * dx) * (1 - a) + (x0 + Settings.Eta * dx0) * a);
            Tensor predicted;
            using (no_grad()) predicted = model.Logits(next).argmax(1);
            var fooled = predicted.ne(y);
            var length = PerSample.Norms(next - x0, norm);
            var closer = fooled.logical_and(length.lt(distance));
            closest = PerSample.Where(closer, next, closest);
            distance = where(closer, length, distance);
            x = PerSample.Where(fooled, x0 + (next - x0) * Settings.Beta, next);
            held.Keep(x, closest, distance);
            held.ReleaseAllBut([x, closest, distance]);
        }
        return (closest.clone(), distance.clone());
    }

    /// <summary>Z_t − Z_y per sample [N] for <paramref name="pair"/> [N, 2] = (y, t).</summary>
    private static Tensor TargetMargins(Tensor logits, Tensor pair)
    {
        var picked = logits.gather(1, pair);
        return picked.select(1, 1) - picked.select(1, 0);
    }
}
