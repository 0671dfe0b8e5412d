using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Auto-PGD — Croce and Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
/// parameter-free attacks", ICML 2020 (arXiv 2003.01690), Algorithm 1. Threat model: white box, L∞ or L2 ball of
/// radius ε. Projected gradient ascent with momentum 0.75 and a step size that starts at 2ε and is halved, per sample,
/// at checkpoints (the first after ⌊0.22·N_iter⌋ steps, then ever closer, down to ⌊0.06·N_iter⌋ apart) when the loss
/// rose in at most ρ = 0.75 of the steps since the last checkpoint, or when neither the step was halved nor the best
/// loss improved at the last one; a halving restarts from the best point found. Losses: cross-entropy (APGD-CE), the
/// DLR loss (APGD-DLR) and, with <see cref="ApgdOptions.TargetClasses"/>, the targeted DLR loss toward each of the
/// top-ranked other classes in turn (APGD-T). Restarts run on the samples still not fooled. Batched: each iteration is
/// one forward and one backward pass on the whole batch (times the EOT count) and reads nothing back to the host.
/// A sample no run fooled keeps its input.
/// </summary>
public sealed class Apgd : EvasionAttackBase<IDifferentiableClassifier>
{
    private const double Momentum = 0.75;
    private readonly ApgdOptions _options;
    private readonly LpBall _ball;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public Apgd(ApgdOptions? options = null)
    {
        _options = (options ?? new ApgdOptions()).Validated();
        _ball = new LpBall(_options.Norm, _options.Epsilon);
    }

    /// <summary>A copy of the validated settings; changing it does not change the attack.</summary>
    public ApgdOptions Options => _options.Copy();

    /// <inheritdoc />
    public override AttackDescriptor Descriptor
    {
        get
        {
            var loss = _options.Loss switch { GradientLoss.CrossEntropy => "CE", GradientLoss.Dlr => "DLR", _ => "margin" };
            var name = _options.TargetClasses is null ? $"APGD-{loss}" : _options.Loss == GradientLoss.Dlr ? "APGD-T" : $"APGD-T-{loss}";
            if (_options.Norm == Norm.L2) name += " L2";
            return new(name, AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.Croce2020,
                _options.TargetClasses is null ? GoalSupport.Both : GoalSupport.Untargeted);
        }
    }

    /// <summary>The checkpoints of an <paramref name="steps"/>-iteration run: the iterations (0-based) after which the step size is checked.</summary>
    internal static IReadOnlyList<int> Checkpoints(int steps)
    {
        var (first, minimum, decrease) = Schedule(steps);
        var result = new List<int>();
        for (int i = 0, k = first, counter = 0; i < steps; i++)
        {
            if (++counter < k) continue;
            result.Add(i);
            counter = 0;
            k = Math.Max(k - decrease, minimum);
        }
        return result;
    }

    private static (int First, int Minimum, int Decrease) Schedule(int steps) =>
        (Math.Max((int)(0.22 * steps), 1), Math.Max((int)(0.06 * steps), 1), Math.Max((int)(0.03 * steps), 1));

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var classes = model.ClassCount;
        if (_options.Loss == GradientLoss.Dlr && classes < 3) throw new ArgumentException($"The DLR loss needs at least 3 classes; the model has {classes}.", nameof(model));
        if (_options.TargetClasses is { } t && t > classes - 1)
            throw new ArgumentOutOfRangeException(nameof(model), $"TargetClasses is {t}, but the model has only {classes - 1} classes besides the true one.");
        if ((_options.TargetClasses is not null || goal.IsTargeted) && _options.Loss == GradientLoss.Dlr && classes < 4)
            throw new ArgumentException($"The targeted DLR loss needs at least 4 classes; the model has {classes}.", nameof(model));

        using var generator = new Generator(unchecked((ulong)_options.Seed));
        var labels = goal.Labels;
        Tensor clean;
        using (no_grad()) clean = model.Logits(inputs).detach();
        var adversarial = inputs.clone();
        if (_options.TargetClasses is not { } targets)
        {
            var fooled = goal.IsSuccess(clean.argmax(1));
            for (var restart = 0; restart < _options.Restarts; restart++)
            {
                var left = fooled.logical_not().nonzero().squeeze(1);
                if (left.numel() == 0) break;
                var y = labels.index_select(0, left);
                var loss = PerSampleLoss(_options.Loss, goal.IsTargeted, y, null);
                var success = Success(goal.IsTargeted, y);
                RunOn(model, inputs, left, loss, success, generator, adversarial, fooled, cancellationToken);
            }
            return adversarial;
        }

        var wrong = clean.argmax(1).ne(labels);
        var ranking = clean.argsort(1, descending: true);
        for (var rank = 1; rank <= targets; rank++)
        {
            for (var restart = 0; restart < _options.Restarts; restart++)
            {
                var left = wrong.logical_not().nonzero().squeeze(1);
                if (left.numel() == 0) return adversarial;
                var y = labels.index_select(0, left);
                var target = ranking.index_select(0, left).select(1, rank);
                var loss = PerSampleLoss(_options.Loss, targeted: true, target, y);
                var success = Success(targeted: false, y);
                RunOn(model, inputs, left, loss, success, generator, adversarial, wrong, cancellationToken);
            }
        }
        return adversarial;
    }

    /// <summary>One run on the samples at <paramref name="left"/>; writes the adversarials it finds and marks them fooled.</summary>
    private void RunOn(IDifferentiableClassifier model, Tensor inputs, Tensor left, Func<Tensor, Tensor> loss, Func<Tensor, Tensor> success,
        Generator generator, Tensor adversarial, Tensor fooled, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var x = inputs.index_select(0, left);
        var (found, hit) = SingleRun(model, x, loss, success, generator, cancellationToken);
        adversarial.index_copy_(0, left, PerSample.Where(hit, found, x));
        fooled.index_copy_(0, left, fooled.index_select(0, left).logical_or(hit));
    }

    /// <summary>The per-sample loss to ascend [N] for labels (true, or targets when <paramref name="targeted"/>).</summary>
    private static Func<Tensor, Tensor> PerSampleLoss(GradientLoss loss, bool targeted, Tensor labels, Tensor? trueLabels) => (loss, targeted) switch
    {
        (GradientLoss.CrossEntropy, false) => logits => nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None),
        (GradientLoss.CrossEntropy, true) => logits => -nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None),
        (GradientLoss.LogitMargin, false) => logits => Objectives.Margins(logits, labels),
        (GradientLoss.LogitMargin, true) => logits => -Objectives.Margins(logits, labels),
        (GradientLoss.Dlr, false) => logits => Objectives.DlrLosses(logits, labels),
        (GradientLoss.Dlr, true) => logits => Objectives.TargetedDlrLosses(logits, trueLabels, labels),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
    };

    /// <summary>Per-sample success [N] from logits: the top class differs from the labels (untargeted) or equals them.</summary>
    private static Func<Tensor, Tensor> Success(bool targeted, Tensor labels) =>
        logits => targeted ? logits.argmax(1).eq(labels) : logits.argmax(1).ne(labels);

    /// <summary>The gradient of the summed loss at <paramref name="x"/> (averaged over the EOT draws) and the logits of the last draw.</summary>
    private (Tensor Gradient, Tensor Logits) Gradient(IDifferentiableClassifier model, Tensor x, Func<Tensor, Tensor> loss)
    {
        AttackObjective objective = logits => loss(logits).sum();
        var g = InputGradient.Of(model, x, objective);
        if (_options.EotIterations == 1) return (g.Gradient, g.Logits);
        var sum = g.Gradient;
        var logits = g.Logits;
        for (var draw = 1; draw < _options.EotIterations; draw++)
        {
            var next = InputGradient.Of(model, x, objective);
            sum = sum + next.Gradient;
            logits = next.Logits;
        }
        return (sum / _options.EotIterations, logits);
    }

    /// <summary>Projection onto the ball around <paramref name="x0"/> and into the model's bounds.</summary>
    private Tensor Project(Tensor point, Tensor x0, InputBounds bounds) => bounds.Clamp(_ball.Project(point, x0));

    /// <summary>
    /// One APGD run (Algorithm 1) from a random point of the ball's surface: the last adversarial found per sample and
    /// whether one was found [N]. The run's state lives outside the dispose scopes and is freed as soon as it is replaced.
    /// </summary>
    private (Tensor Found, Tensor Hit) SingleRun(IDifferentiableClassifier model, Tensor x0, Func<Tensor, Tensor> loss, Func<Tensor, Tensor> success,
        Generator generator, CancellationToken cancellationToken)
    {
        using var held = new HeldTensors();
        var n = x0.shape[0];
        var eps = _options.Epsilon;
        var bounds = model.Bounds;
        Tensor x, grad, hit, found, bestLoss, best, bestGrad, step, previous, reducedAtLastCheck, bestAtLastCheck;
        var history = new List<Tensor>(_options.Steps);
        using (NewDisposeScope())
        {
            // The start: ε times a random direction scaled to unit norm (uniform entries for L∞, Gaussian for L2).
            var draw = (_options.Norm == Norm.LInf ? rand(x0.shape, generator: generator) * 2 - 1 : randn(x0.shape, generator: generator)).to(x0.device);
            var direction = draw / PerSample.Broadcast(PerSample.Norms(draw, _options.Norm) + 1e-12, draw);
            x = bounds.Clamp(x0 + eps * direction);
            Tensor logits;
            (grad, logits) = Gradient(model, x, loss);
            hit = success(logits);
            found = x.clone();
            bestLoss = loss(logits).detach();
            best = x;
            bestGrad = grad;
            step = full(n, 2 * eps, dtype: x0.dtype, device: x0.device);
            previous = x;
            reducedAtLastCheck = ones(n, dtype: ScalarType.Bool, device: x0.device);
            bestAtLastCheck = bestLoss;
            held.Keep(x, grad, hit, found, bestLoss, step, reducedAtLastCheck);
        }
        var (k, minimum, decrease) = Schedule(_options.Steps);
        var sinceCheck = 0;
        for (var i = 0; i < _options.Steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var iteration = NewDisposeScope();
            var momentum = x - previous;
            previous = x;
            var a = i > 0 ? Momentum : 1.0;
            var z = Project(x + PerSample.Broadcast(step, x) * _ball.SteepestAscent(grad), x0, bounds);
            var next = Project(x + a * (z - x) + (1 - a) * momentum, x0, bounds);
            var (nextGrad, nextLogits) = Gradient(model, next, loss);
            var wrong = success(nextLogits);
            found = PerSample.Where(wrong, next, found);
            hit = hit.logical_or(wrong);
            var value = loss(nextLogits).detach();
            var improved = value.gt(bestLoss);
            best = PerSample.Where(improved, next, best);
            bestGrad = PerSample.Where(improved, nextGrad, bestGrad);
            bestLoss = where(improved, value, bestLoss);
            history.Add(value);
            x = next;
            grad = nextGrad;
            if (++sinceCheck == k)
            {
                // Steps since the last checkpoint at which the loss rose (the loss before the first step counts as 0).
                var rises = zeros(n, dtype: ScalarType.Int64, device: x0.device);
                for (var c = 0; c < k; c++)
                {
                    var before = i - c - 1 >= 0 ? history[i - c - 1] : zeros_like(value);
                    rises = rises + history[i - c].gt(before).to_type(ScalarType.Int64);
                }
                var oscillating = rises.to_type(ScalarType.Float64).le(k * _options.Rho);
                var stalled = reducedAtLastCheck.logical_not().logical_and(bestAtLastCheck.ge(bestLoss));
                var halve = oscillating.logical_or(stalled);
                reducedAtLastCheck = halve;
                bestAtLastCheck = bestLoss;
                step = where(halve, step / 2, step);
                x = PerSample.Where(halve, best, x);
                grad = PerSample.Where(halve, bestGrad, grad);
                k = Math.Max(k - decrease, minimum);
                sinceCheck = 0;
            }
            held.Keep(x, previous, grad, found, hit, best, bestGrad, bestLoss, step, value, reducedAtLastCheck, bestAtLastCheck);
            held.ReleaseAllBut([x, previous, grad, found, hit, best, bestGrad, bestLoss, step, reducedAtLastCheck, bestAtLastCheck, .. history]);
        }
        return (found.clone(), hit.clone());
    }
}
