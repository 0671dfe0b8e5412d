using NeuralShield.Attacks.Core;
using NeuralShield.Metrics;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Square attack — Andriushchenko, Croce, Flammarion, Hein, "Square Attack: a query-efficient black-box adversarial
/// attack via random search", ECCV 2020 (arXiv 1912.00049). Threat model: black box with scores (no gradients), L∞ or L2
/// ball of radius ε (<see cref="SquareOptions.Norm"/>). Each iteration proposes one change for every sample not yet
/// fooled and keeps it when the margin loss (targeted: the cross-entropy toward the target) falls or the sample is
/// fooled; the side of the square follows the paper's schedule of p. L∞ (Algorithms 1 and 2): from vertical stripes of
/// ±ε, a square of side ⌈√(p·H·W)⌋ set to ±2ε per channel, then projected. L2 (Algorithm 3): from a grid of windows
/// with the paper's profile scaled to ‖δ‖₂ = ε, a window (odd side, at least 3) receives the profile — two rectangles of
/// opposite sign with weights 1/(k+1)² on their rings — with a random sign per channel, plus its own content, rescaled
/// so that it takes the mass of a second window, which is emptied; the result is scaled to ‖δ‖₂ = ε and clipped to the
/// bounds. Where squares are placed per batch or per sample: <see cref="SquareOptions.DrawPerSample"/>. Scores are the
/// logits where the model exposes them, else the log-probabilities (the same margins). Each sample is sent to the model
/// at most <see cref="SquareOptions.MaxQueries"/> times; a fooled sample is not queried again. Inputs are images
/// [N, C, H, W]. A sample not fooled keeps its input.
/// </summary>
public sealed class SquareAttack : EvasionAttackBase<IClassifier>
{
    private static readonly int[] ScheduleIterations = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
    private readonly SquareOptions _options;
    // Where Perturb leaves each batch's per-sample query counts during RunCounted (per call flow, so concurrent runs do not mix).
    private readonly AsyncLocal<List<Tensor>?> _queriesSink = new();

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public SquareAttack(SquareOptions? options = null)
    {
        _options = (options ?? new SquareOptions()).Validated();
    }

    /// <summary>A copy of the validated settings; changing it does not change the attack.</summary>
    public SquareOptions Options => _options.Copy();

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(_options.Norm == Norm.L2 ? "Square L2" : "Square L∞", AttackFamily.Evasion, ModelAccess.Probabilities, Papers.Andriushchenko2020, GoalSupport.Both);

    /// <summary>
    /// <see cref="EvasionAttackBase{TModel}.Run"/> that also returns the queries each sample used [N] (int64, at most the budget);
    /// the caller disposes both.
    /// </summary>
    public (EvasionResult Result, Tensor Queries) RunCounted(IClassifier model, Tensor inputs, AttackGoal goal, RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var sink = new List<Tensor>();
        _queriesSink.Value = sink;
        try
        {
            var result = Run(model, inputs, goal, options, cancellationToken);
            using var scope = NewDisposeScope();
            var queries = cat(sink, 0).cpu();
            return (result, queries.MoveToOuterDisposeScope());
        }
        finally
        {
            foreach (var t in sink) t.Dispose();
            _queriesSink.Value = null;
        }
    }

    /// <summary>The share p of the image a square covers at iteration <paramref name="iteration"/> (0-based) of a run.</summary>
    internal double P(int iteration)
    {
        var it = _options.RescaleSchedule ? (int)(iteration / (double)(_options.MaxQueries - 1) * 10000) : iteration;
        var halvings = ScheduleIterations.Count(boundary => it > boundary);
        return _options.PInit / Math.Pow(2, halvings);
    }

    /// <summary>The side of the square at iteration <paramref name="iteration"/> in images of <paramref name="h"/>×<paramref name="w"/>: ⌊√(p·H·W)⌉, at least 1 (L2: at least 3 and odd), at most min(H, W).</summary>
    internal long Side(int iteration, long h, long w)
    {
        var side = (long)Math.Round(Math.Sqrt(P(iteration) * h * w));
        if (_options.Norm == Norm.L2)
        {
            side = Math.Max(side, 3);
            if (side % 2 == 0) side++;
        }
        return Math.Min(Math.Max(side, 1), Math.Min(h, w));
    }

    /// <inheritdoc />
    protected override Tensor Perturb(IClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        if (inputs.dim() != 4)
            throw new ArgumentException($"The Square attack needs images [N, C, H, W]; got shape [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        var (n, c, h, w) = (inputs.shape[0], inputs.shape[1], inputs.shape[2], inputs.shape[3]);
        var eps = _options.Epsilon;
        var l2 = _options.Norm == Norm.L2;
        var bounds = model.Bounds;
        var ball = new LpBall(Norm.LInf, eps);
        var labels = goal.Labels;
        var targeted = goal.IsTargeted;
        var device = inputs.device;
        using var generator = new Generator(unchecked((ulong)_options.Seed));
        Tensor Uniform(params long[] shape) => rand(shape, generator: generator).to(device);
        Tensor Signs(params long[] shape) => (Uniform(shape) * 2 - 1).sign();
        var rows = arange(h, device: device).unsqueeze(0);
        var cols = arange(w, device: device).unsqueeze(0);
        // A square of side `side` at a random place, for k samples (k = 1: the whole batch): its place and its mask [k, 1, H, W].
        (Tensor Top, Tensor Left, Tensor Mask) Square(long k, long side)
        {
            var top = (Uniform(k) * (h - side)).floor().to_type(ScalarType.Int64);
            var left = (Uniform(k) * (w - side)).floor().to_type(ScalarType.Int64);
            var inRows = rows.ge(top.unsqueeze(1)).logical_and(rows.lt((top + side).unsqueeze(1))).view(k, 1, h, 1);
            var inCols = cols.ge(left.unsqueeze(1)).logical_and(cols.lt((left + side).unsqueeze(1))).view(k, 1, 1, w);
            return (top, left, inRows.logical_and(inCols).to_type(inputs.dtype));
        }

        using var held = new HeldTensors();
        using var profiles = new HeldTensors();
        var profileOfSide = new Dictionary<long, Tensor>();
        Tensor best, margin, lossMin, queries;
        using (NewDisposeScope())
        {
            var start = l2 ? inputs + SquareL2.Initial(n, c, h, w, eps, shape => Uniform(shape), shape => Signs(shape), device) : inputs + eps * Signs(n, c, 1, w);
            best = bounds.Clamp(start);
            (margin, lossMin) = MarginAndLoss(model, best, labels, targeted);
            queries = ones(n, dtype: ScalarType.Int64, device: device);
            held.Keep(best, margin, lossMin, queries);
        }
        for (var i = 0; i < _options.MaxQueries - 1; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var iteration = NewDisposeScope();
            var active = margin.gt(0).nonzero().squeeze(1);
            var m = active.shape[0];
            if (m == 0) break;
            var k = _options.DrawPerSample ? m : 1;
            var side = Side(i, h, w);
            var x = inputs.index_select(0, active);
            var current = best.index_select(0, active);
            Tensor proposal;
            if (!l2)
            {
                var (_, _, window) = Square(k, side);
                proposal = bounds.Clamp(ball.Project(current + window * (2 * eps * Signs(k, c, 1, 1)), x));
            }
            else
            {
                if (!profileOfSide.TryGetValue(side, out var profile))
                {
                    profile = tensor(SquareL2.Profile((int)side), dtype: inputs.dtype, device: device);
                    profiles.Keep(profile);
                    profileOfSide[side] = profile;
                }
                var (top, left, window1) = Square(k, side);
                var (_, _, window2) = Square(k, side);
                var bump = SquareL2.Placed(profile, side, top, left, Uniform(k).gt(0.5), h, w) * Signs(m, c, 1, 1);
                var delta = SquareL2.Step(current - x, window1, window2, bump, eps);
                proposal = bounds.Clamp(x + PerSample.L2Normalise(delta) * eps);
            }
            var (newMargin, newLoss) = MarginAndLoss(model, proposal, labels.index_select(0, active), targeted);
            var oldLoss = lossMin.index_select(0, active);
            var lower = newLoss.lt(oldLoss);
            var keep = lower.logical_or(newMargin.le(0));
            lossMin = lossMin.index_copy(0, active, where(lower, newLoss, oldLoss));
            margin = margin.index_copy(0, active, where(keep, newMargin, margin.index_select(0, active)));
            best = best.index_copy(0, active, PerSample.Where(keep, proposal, current));
            queries = queries.index_add(0, active, ones(m, dtype: ScalarType.Int64, device: device), 1);
            held.Keep(best, margin, lossMin, queries);
            held.ReleaseAllBut([best, margin, lossMin, queries]);
        }
        _queriesSink.Value?.Add(queries.clone().DetachFromDisposeScope());
        return PerSample.Where(margin.le(0), best, inputs);
    }

    /// <summary>
    /// Per sample: the margin (positive while the goal is not met: Z_y − max_{j≠y} Z_j, or max_{j≠t} Z_j − Z_t) and the
    /// loss to lower (the margin untargeted, the cross-entropy toward the target targeted). One query per sample.
    /// </summary>
    private static (Tensor Margin, Tensor Loss) MarginAndLoss(IClassifier model, Tensor x, Tensor labels, bool targeted)
    {
        var scores = model is IDifferentiableClassifier white ? white.Logits(x).detach() : model.PredictProbabilities(x).log();
        var margin = -Objectives.Margins(scores, labels);
        if (!targeted) return (margin, margin);
        return (-margin, nn.functional.cross_entropy(scores, labels, reduction: nn.Reduction.None));
    }
}
