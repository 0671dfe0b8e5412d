using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>The Square attack (L∞ and L2): its schedule of p against the paper's, the L2 window profile and update against hand computations, its ball, bounds and query budget, and its refusals.</summary>
public class SquareAttackTests
{
    [Fact]
    public void PFollowsThePapersSchedule()
    {
        var square = new SquareAttack(new SquareOptions { PInit = 0.8 });
        // Halved after iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000.
        Assert.Equal(0.8, square.P(0));
        Assert.Equal(0.8, square.P(10));
        Assert.Equal(0.4, square.P(11));
        Assert.Equal(0.2, square.P(51));
        Assert.Equal(0.1, square.P(201));
        Assert.Equal(0.8 / 16, square.P(1000));
        Assert.Equal(0.8 / 32, square.P(1001));
        Assert.Equal(0.8 / 512, square.P(9000));
        // Rescaled to a budget of 1,001 queries (1,000 iterations): iteration 100 counts as 1,000.
        var rescaled = new SquareAttack(new SquareOptions { PInit = 0.8, MaxQueries = 1001, RescaleSchedule = true });
        Assert.Equal(0.8 / 16, rescaled.P(100));
        Assert.Equal(0.8 / 32, rescaled.P(101));
    }

    [Property(MaxTest = 10)]
    public bool StaysInTheBallAndTheBoundsAndTheBudget(byte epsByte, byte budgetByte, bool targeted, bool perSample, int seed)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 3);
        var (x, labels) = TinyImageModel.Case(model, 10, seed: seed);
        var eps = 0.01 + epsByte / 255.0 * 0.3;
        var budget = budgetByte % 60 + 1;
        var goal = targeted ? AttackGoal.Targeted((labels + 1) % TinyImageModel.Classes) : AttackGoal.Untargeted(labels);
        var before = model.QueryCount;
        var (result, queries) = new SquareAttack(new SquareOptions { Epsilon = eps, MaxQueries = budget, DrawPerSample = perSample, Seed = seed }).RunCounted(model, x, goal);
        using var _ = result;
        using var __ = queries;
        var sent = model.QueryCount - before;
        var distance = Distances.LInf(result.Adversarials, x).max().item<float>();
        return distance <= eps + 1e-6
            && model.Bounds.Contains(result.Adversarials)
            && queries.max().item<long>() <= budget
            && queries.min().item<long>() >= 1
            // Every query the attack sent is counted per sample, and the library's success check is the only other one.
            && result.Metrics.Queries == queries.sum().item<long>()
            && sent == result.Metrics.Queries + x.shape[0];
    }

    [Fact]
    public void AFooledSampleIsNotQueriedAgainAndLabelsOnlyScoresAgree()
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 5);
        var (x, labels) = TinyImageModel.Case(model, 20, seed: 4);
        var options = new SquareOptions { Epsilon = 0.2, MaxQueries = 200, Seed = 1 };
        var (white, whiteQueries) = new SquareAttack(options).RunCounted(model, x, AttackGoal.Untargeted(labels));
        using var _ = white;
        // Fooled samples stop early; the others use the whole budget.
        Assert.True(whiteQueries.index_select(0, white.Success.logical_not().nonzero().squeeze(1)).eq(200).all().item<bool>());
        Assert.True(whiteQueries.index_select(0, white.Success.nonzero().squeeze(1)).lt(200).all().item<bool>());
        Assert.InRange(white.Metrics.SuccessRate, 0.2, 1.0);
        // Through probabilities only, the margins are the same up to rounding: the same samples are fooled with (nearly) the same queries.
        var black = new ProbabilitiesOnlyClassifier(model);
        var (scores, scoreQueries) = new SquareAttack(options).RunCounted(black, x, AttackGoal.Untargeted(labels));
        using var __ = scores;
        var same = scores.Success.eq(white.Success).to_type(ScalarType.Float32).mean().item<float>();
        Assert.True(same >= 0.9f, $"agreement {same}");
    }

    [Fact]
    public void L2SidesAreOddAndAtLeastThree()
    {
        var square = new SquareAttack(new SquareOptions { Norm = Norm.L2, PInit = 0.8 });
        // p = 0.8 on 28×28: √(0.8·784) = 25.04 → 25; p = 0.4: 17.7 → 18 → 19 (odd); p = 0.8/512: 1.24 → 3.
        Assert.Equal(25, square.Side(0, 28, 28));
        Assert.Equal(19, square.Side(11, 28, 28));
        Assert.Equal(3, square.Side(9000, 28, 28));
        // 8×8: √(0.8·64) = 7.2 → 7; p = 1: 8 → 9 (odd) → capped at 8.
        Assert.Equal(7, square.Side(0, 8, 8));
        Assert.Equal(8, new SquareAttack(new SquareOptions { Norm = Norm.L2, PInit = 1 }).Side(0, 8, 8));
        // L∞ keeps ⌊√(p·H·W)⌉ and at least 1: 0.8/512 on 28×28 is 1.
        Assert.Equal(1, new SquareAttack(new SquareOptions { PInit = 0.8 }).Side(9000, 28, 28));
    }

    [Fact]
    public void L2ProfileEqualsAHandComputation()
    {
        // Side 3: the upper rectangle is 1×3 with centre (0, 1): ring 0 adds 1 at (0, 1), ring 1 adds ¼ to all three cells:
        // [¼, 5/4, ¼], norm √(27/16). The lower one is 2×3 with centre (1, 1): [[¼, ¼, ¼], [¼, 5/4, ¼]], norm √(30/16).
        // Each half has unit norm with opposite signs; the whole is divided by √2.
        var upper = new[] { 0.25, 1.25, 0.25 }.Select(v => v / Math.Sqrt(27.0 / 16) / Math.Sqrt(2)).ToArray();
        var lower = new[] { 0.25, 0.25, 0.25, 0.25, 1.25, 0.25 }.Select(v => -v / Math.Sqrt(30.0 / 16) / Math.Sqrt(2)).ToArray();
        var expected = upper.Concat(lower).ToArray();
        var profile = SquareL2.Profile(3);
        Assert.Equal(expected.Length, profile.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], profile[i], 12);
        // A 3×5 rectangle, centre (1, 2): ring 0 → (1, 2) +1; ring 1 → rows 0–2, cols 1–3 +¼; ring 2 → rows 0–2, cols 0–4 +1/9.
        var ring = new double[15];
        for (var r = 0; r < 3; r++)
            for (var c = 0; c < 5; c++)
                ring[r * 5 + c] = 1.0 / 9 + (c is >= 1 and <= 3 ? 0.25 : 0) + (r == 1 && c == 2 ? 1 : 0);
        var norm = Math.Sqrt(ring.Sum(v => v * v));
        var rectangle = SquareL2.Rectangle(3, 5);
        for (var i = 0; i < 15; i++) Assert.Equal(ring[i] / norm, rectangle[i], 12);
    }

    [Fact]
    public void L2StepEqualsAPlainLoop()
    {
        using var scope = NewDisposeScope();
        const int n = 2, ch = 2, h = 6, w = 6, side = 3;
        const double eps = 1.5;
        using var generator = new Generator(7);
        var delta = UnitNorm(randn([n, ch, h, w], generator: generator)) * eps;
        var (t1, l1, t2, l2) = (0, 1, 2, 3); // overlapping windows: rows 0–2 × cols 1–3 and rows 2–4 × cols 3–5
        var profile = SquareL2.Profile(side);
        var signs = new float[,] { { 1, -1 }, { -1, 1 } };
        var w1 = Mask(t1, l1, side, h, w);
        var w2 = Mask(t2, l2, side, h, w);
        var placed = SquareL2.Placed(tensor(profile, dtype: ScalarType.Float32), side, tensor(new long[] { t1 }), tensor(new long[] { l1 }), tensor(new[] { false }), h, w);
        var bump = placed * tensor(signs).view(n, ch, 1, 1);
        var got = SquareL2.Step(delta, w1, w2, bump, eps).data<float>().ToArray();
        var d = delta.data<float>().ToArray();
        int At(int i, int c, int r, int col) => ((i * ch + c) * h + r) * w + col;
        bool In(int r, int c, int top, int left) => r >= top && r < top + side && c >= left && c < left + side;
        for (var i = 0; i < n; i++)
        {
            double image = 0;
            for (var k = 0; k < ch * h * w; k++) image += (double)d[i * ch * h * w + k] * d[i * ch * h * w + k];
            for (var c = 0; c < ch; c++)
            {
                double inOne = 0, inEither = 0;
                for (var r = 0; r < h; r++)
                    for (var col = 0; col < w; col++)
                    {
                        var v = (double)d[At(i, c, r, col)];
                        if (In(r, col, t1, l1)) inOne += v * v;
                        if (In(r, col, t1, l1) || In(r, col, t2, l2)) inEither += v * v;
                    }
                var fresh = new double[side * side];
                for (var r = 0; r < side; r++)
                    for (var col = 0; col < side; col++)
                        fresh[r * side + col] = profile[r * side + col] * signs[i, c] + d[At(i, c, t1 + r, l1 + col)] / (Math.Sqrt(inOne) + 1e-12);
                var freshNorm = Math.Sqrt(fresh.Sum(v => v * v));
                var target = Math.Sqrt(Math.Max(eps * eps - image, 0) / ch + inEither);
                for (var r = 0; r < h; r++)
                    for (var col = 0; col < w; col++)
                    {
                        var expected = In(r, col, t1, l1) ? fresh[(r - t1) * side + col - l1] / freshNorm * target
                            : In(r, col, t2, l2) ? 0 : d[At(i, c, r, col)];
                        Assert.Equal(expected, got[At(i, c, r, col)], 5);
                    }
            }
        }
    }

    [Property(MaxTest = 8)]
    public bool L2StaysOnTheSphereInsideTheBoundsAndTheBudget(byte epsByte, byte budgetByte, bool perSample, int seed)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 3);
        var (x, labels) = TinyImageModel.Case(model, 8, seed: seed);
        var eps = 0.2 + epsByte / 255.0 * 1.5;
        var budget = budgetByte % 60 + 1;
        var options = new SquareOptions { Norm = Norm.L2, Epsilon = eps, MaxQueries = budget, DrawPerSample = perSample, Seed = seed };
        var (result, queries) = new SquareAttack(options).RunCounted(model, x, AttackGoal.Untargeted(labels));
        using var _ = result;
        using var __ = queries;
        var inBall = Distances.L2(result.Adversarials, x).max().item<float>() <= eps + 1e-4;
        // Bounds far away: nothing is clipped, so every fooled sample lies on the sphere ‖δ‖₂ = ε (the others keep their input).
        using var wide = new TorchClassifier(model.Module, TinyImageModel.Classes, new InputBounds(-10, 10), inputShape: [1, 8, 8]);
        var (open, openQueries) = new SquareAttack(options).RunCounted(wide, x, AttackGoal.Untargeted(labels));
        using var ___ = open;
        using var ____ = openQueries;
        var norms = Distances.L2(open.Adversarials, x);
        var expected = where(open.Success, full_like(norms, eps), zeros_like(norms));
        return inBall
            && model.Bounds.Contains(result.Adversarials)
            && queries.max().item<long>() <= budget && openQueries.max().item<long>() <= budget
            && result.Metrics.Queries == queries.sum().item<long>()
            && (norms - expected).abs().max().item<float>() <= 1e-4 * eps;
    }

    private static Tensor UnitNorm(Tensor t) => t / t.flatten(1).norm(1, true, 2.0f).view(-1, 1, 1, 1);

    private static Tensor Mask(int top, int left, int side, int h, int w)
    {
        var mask = zeros(1, 1, h, w);
        mask.narrow(2, top, side).narrow(3, left, side).fill_(1);
        return mask;
    }

    [Fact]
    public void RefusesBadSettingsAndInputs()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("MaxQueries", Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(new SquareOptions { MaxQueries = 0 })).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(new SquareOptions { Epsilon = 0 })).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(new SquareOptions { Epsilon = -1 })).ParamName);
        Assert.Equal("PInit", Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(new SquareOptions { PInit = 0 })).ParamName);
        Assert.Equal("Norm", Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(new SquareOptions { Norm = Norm.L0 })).ParamName);
        using var model = TinyImageModel.Model(seed: 1);
        var (x, labels) = TinyImageModel.Case(model, 3, seed: 1);
        var square = new SquareAttack(new SquareOptions { MaxQueries = 5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => square.Run(model, x, AttackGoal.Targeted(full(3, 9, dtype: ScalarType.Int64))));
        using var flat = new TorchClassifier(ModelZoo.Mlp(4, [3], 3, Activation.Tanh, 1), 3, InputBounds.Unit, ownsModule: true);
        var e = Assert.Throws<ArgumentException>(() => square.Run(flat, rand(2, 4), AttackGoal.Untargeted(zeros(2, dtype: ScalarType.Int64))));
        Assert.Contains("[N, C, H, W]", e.Message);
    }
}
