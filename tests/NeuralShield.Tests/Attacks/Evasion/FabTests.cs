using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Evaluation;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// FAB-T against the closed-form minimal distance of a linear two-class model, against a plain per-sample loop of the
/// algorithm written here (host arrays in double, the projection found by bisection instead of sorting), its ball and
/// bounds, and its refusals.
/// </summary>
public class FabTests
{
    /// <summary>
    /// A linear two-class model Z₀ = 0, Z₁ = ⟨w, x⟩ + b on 10 features with points predicted as class 0 whose closest
    /// boundary point lies inside the box: the smallest L∞ distance is |f(x)|/‖w‖₁, the smallest L2 one |f(x)|/‖w‖₂.
    /// </summary>
    private static (TorchClassifier Model, Tensor X, double[] Distances) LinearCase(Norm norm)
    {
        const int d = 10;
        var random = new Random(21);
        var w = Enumerable.Range(0, d).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var bias = -0.5 * w.Sum() - 0.3;
        var linear = nn.Linear(d, 2);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(new float[2, d]).index_put_(tensor(w.Select(v => (float)v).ToArray()), 1));
            linear.bias!.copy_(tensor(new[] { 0f, (float)bias }));
        }
        var model = new TorchClassifier(linear, 2, InputBounds.Unit, ownsModule: true);
        var dual = norm == Norm.LInf ? w.Sum(Math.Abs) : Math.Sqrt(w.Sum(v => v * v));
        var points = new List<float[]>();
        var distances = new List<double>();
        while (points.Count < 16)
        {
            var x = Enumerable.Range(0, d).Select(_ => (float)(0.3 + 0.4 * random.NextDouble())).ToArray();
            var f = x.Select((v, i) => v * w[i]).Sum() + bias;
            var distance = -f / dual;
            // Class 0, and the closest boundary point (x − distance·sign(w) for L∞, x − distance·w/‖w‖₂ for L2) in the box.
            if (f > -0.02 || distance > 0.25) continue;
            points.Add(x);
            distances.Add(distance);
        }
        var batch = stack(points.Select(p => tensor(p)).ToArray());
        return (model, batch, distances.ToArray());
    }

    [Theory]
    [InlineData(Norm.LInf)]
    [InlineData(Norm.L2)]
    public void ReachesTheClosedFormDistanceOfALinearModel(Norm norm)
    {
        using var scope = NewDisposeScope();
        var (model, x, expected) = LinearCase(norm);
        using var _ = model;
        var attack = new Fab(new FabOptions { Epsilon = 1, Norm = norm, TargetClasses = 1 });
        using var result = attack.Run(model, x, AttackGoal.Untargeted(zeros(x.shape[0], dtype: ScalarType.Int64)));
        Assert.True(result.Success.all().item<bool>());
        var found = (norm == Norm.LInf ? result.LInf : result.L2).data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            // Never closer than the boundary (float32 rounding aside), and within 1% of it after 100 iterations.
            Assert.InRange(found[i], expected[i] * (1 - 1e-4), expected[i] * 1.01);
        }
    }

    /// <summary>
    /// The least move of t onto ⟨w, z⟩ = b inside [0, 1] (L∞ or L2), by bisection on the move parameter θ: each coordinate
    /// moves against sign(w) by min(θ, room) (L∞) or min(θ·|wᵢ|, room) (L2); beyond the box, to the nearest corner.
    /// </summary>
    private static double[] NaiveProjection(double[] t, double[] w, double b, bool l2)
    {
        var d = t.Length;
        var c = w.Select((v, i) => v * t[i]).Sum() - b;
        var s = c >= 0 ? 1.0 : -1.0;
        var room = Enumerable.Range(0, d).Select(i => s * w[i] > 0 ? t[i] : 1 - t[i]).ToArray();
        double Move(int i, double theta) => w[i] == 0 ? 0 : Math.Min(l2 ? theta * Math.Abs(w[i]) : theta, room[i]);
        double Lowered(double theta) => Enumerable.Range(0, d).Sum(i => Math.Abs(w[i]) * Move(i, theta));
        var need = Math.Abs(c);
        double thetaStar;
        if (Lowered(1e9) <= need)
        {
            thetaStar = 1e9;
        }
        else
        {
            double lo = 0, hi = 1e9;
            for (var k = 0; k < 200; k++)
            {
                var mid = (lo + hi) / 2;
                if (Lowered(mid) >= need) hi = mid; else lo = mid;
            }
            thetaStar = hi;
        }
        return Enumerable.Range(0, d).Select(i => -Math.Sign(s * w[i]) * Move(i, thetaStar)).ToArray();
    }

    private static double Length(IEnumerable<double> v, bool l2) => l2 ? Math.Sqrt(v.Sum(e => e * e)) : v.Max(Math.Abs);

    /// <summary>FAB-T (one run per target, no random start) written per sample from the paper's step.</summary>
    private static float[][] NaiveFabT(TorchClassifier model, Tensor x0, long[] labels, double eps, bool l2, int steps, int targets)
    {
        const double alphaMax = 0.1, eta = 1.05, beta = 0.9;
        var n = labels.Length;
        var shape = x0.shape.Skip(1).Prepend(1L).ToArray();
        var results = new float[n][];
        for (var s = 0; s < n; s++)
        {
            var start = x0[s].flatten().data<float>().Select(v => (double)v).ToArray();
            results[s] = start.Select(v => (float)v).ToArray();
            var clean = Logits(start);
            if (ArgMax(clean) != labels[s]) continue;
            var ranking = Enumerable.Range(0, clean.Length).OrderByDescending(j => clean[j]).ToArray();
            for (var rank = 1; rank <= targets; rank++)
            {
                var (y, t) = (labels[s], ranking[rank]);
                var x = (double[])start.Clone();
                double[]? closest = null;
                var distance = double.PositiveInfinity;
                for (var it = 0; it < steps; it++)
                {
                    var (f, g) = MarginAndGradient(x, y, t);
                    var b = g.Select((v, i) => v * x[i]).Sum() - f;
                    var d1 = NaiveProjection(x, g, b, l2);
                    var d2 = NaiveProjection(start, g, b, l2);
                    var (a1, a2) = (Math.Max(Length(d1, l2), 1e-8), Math.Max(Length(d2, l2), 1e-8));
                    var alpha = Math.Min(a1 / (a1 + a2), alphaMax);
                    var next = x.Select((v, i) => Math.Clamp((v + eta * d1[i]) * (1 - alpha) + (start[i] + eta * d2[i]) * alpha, 0, 1)).ToArray();
                    if (ArgMax(Logits(next)) != y)
                    {
                        var length = Length(next.Select((v, i) => v - start[i]), l2);
                        if (length < distance) (closest, distance) = (next, length);
                        x = next.Select((v, i) => start[i] + (v - start[i]) * beta).ToArray();
                    }
                    else
                    {
                        x = next;
                    }
                }
                if (distance <= eps)
                {
                    results[s] = closest!.Select(v => (float)v).ToArray();
                    break;
                }
            }
        }
        return results;

        double[] Logits(double[] point)
        {
            using var _ = no_grad();
            using var logits = model.Module.forward(tensor(point.Select(v => (float)v).ToArray()).view(shape));
            return logits.flatten().data<float>().Select(v => (double)v).ToArray();
        }

        (double F, double[] G) MarginAndGradient(double[] point, long y, int t)
        {
            using var scope = NewDisposeScope();
            using var enable = enable_grad();
            var leaf = tensor(point.Select(v => (float)v).ToArray()).view(shape).requires_grad_(true);
            var logits = model.Module.forward(leaf).flatten();
            var margin = logits[t] - logits[y];
            margin.backward();
            return (margin.item<float>(), leaf.grad!.flatten().data<float>().Select(v => (double)v).ToArray());
        }

        static long ArgMax(double[] v) => Enumerable.Range(0, v.Length).MaxBy(j => v[j]);
    }

    [Theory]
    [InlineData(false, 0.03)]
    [InlineData(true, 0.2)]
    public void TheBatchedAttackEqualsThePlainLoop(bool l2, double eps)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 11);
        var (x, labels) = TinyImageModel.Case(model, 12, seed: 4);
        // Two samples the model gets wrong: they are left as they are.
        labels[0] = (labels[0] + 1) % TinyImageModel.Classes;
        labels[5] = (labels[5] + 2) % TinyImageModel.Classes;
        const int steps = 25, targets = 3;
        var attack = new Fab(new FabOptions { Epsilon = eps, Norm = l2 ? Norm.L2 : Norm.LInf, Steps = steps, TargetClasses = targets, Seed = 5 });
        using var result = attack.Run(model, x, AttackGoal.Untargeted(labels), new RunOptions { BatchSize = 5 });
        var expected = NaiveFabT(model, x, labels.data<long>().ToArray(), eps, l2, steps, targets);
        var batched = result.Adversarials.flatten(1);
        var gap = 0.0;
        for (var s = 0; s < expected.Length; s++) gap = Math.Max(gap, (batched[s] - tensor(expected[s])).abs().max().item<float>());
        Assert.True(gap < 1e-4, $"largest difference to the plain loop: {gap}");
        // Not vacuous: some samples are broken within ε and some are not.
        var broken = result.Success.sum().item<long>();
        Assert.InRange(broken, 4, 11);
    }

    [Property(MaxTest = 10)]
    public bool StaysInTheBallAndTheBounds(byte epsByte, byte steps, bool l2, byte targets, bool restart, int seed)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 2);
        var (x, labels) = TinyImageModel.Case(model, 8, seed: seed);
        var eps = 0.01 + epsByte / 255.0 * (l2 ? 1.0 : 0.15);
        var attack = new Fab(new FabOptions
        {
            Epsilon = eps, Norm = l2 ? Norm.L2 : Norm.LInf, Steps = steps % 10 + 1, TargetClasses = targets % 4 + 1, Restarts = restart ? 2 : 1, Seed = seed,
        });
        using var result = attack.Run(model, x, AttackGoal.Untargeted(labels));
        var distance = (l2 ? Distances.L2(result.Adversarials, x) : Distances.LInf(result.Adversarials, x)).max().item<float>();
        // A sample not fooled keeps its input exactly.
        var kept = result.Success.logical_or((result.Adversarials - x).flatten(1).abs().amax(1).eq(0)).all().item<bool>();
        return distance <= eps + 1e-5 && model.Bounds.Contains(result.Adversarials) && kept;
    }

    [Fact]
    public void RestartsFromRandomStartsBreakNoFewer()
    {
        // The first run of each target is the same with or without restarts, so restarts can only add broken samples.
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 3);
        var (x, labels) = TinyImageModel.Case(model, 16, seed: 2);
        using var one = new Fab(new FabOptions { Epsilon = 0.05, Steps = 15, TargetClasses = 2 }).Run(model, x, AttackGoal.Untargeted(labels));
        using var three = new Fab(new FabOptions { Epsilon = 0.05, Steps = 15, TargetClasses = 2, Restarts = 3, Seed = 1 }).Run(model, x, AttackGoal.Untargeted(labels));
        Assert.False(one.Success.logical_and(three.Success.logical_not()).any().item<bool>());
    }

    [Fact]
    public void RefusesBadSettingsAndGoals()
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 1);
        var (x, labels) = TinyImageModel.Case(model, 4, seed: 1);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { Epsilon = 0 })).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { Epsilon = -0.3 })).ParamName);
        Assert.Equal("Steps", Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { Steps = 0 })).ParamName);
        Assert.Equal("Restarts", Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { Restarts = 0 })).ParamName);
        Assert.Equal("TargetClasses", Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { TargetClasses = 0 })).ParamName);
        Assert.Equal("AlphaMax", Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { AlphaMax = 1.5 })).ParamName);
        Assert.Equal("Eta", Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { Eta = 0.9 })).ParamName);
        Assert.Equal("Beta", Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { Beta = 0 })).ParamName);
        Assert.Equal("Norm", Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { Norm = Norm.L0 })).ParamName);
        // More target classes than the model has besides the true one (a target rank out of range); FAB-T has no targeted goal.
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => new Fab(new FabOptions { Steps = 2, TargetClasses = TinyImageModel.Classes }).Run(model, x, AttackGoal.Untargeted(labels)));
        Assert.Equal("model", tooMany.ParamName);
        Assert.Throws<ArgumentException>(() => new Fab(new FabOptions { Steps = 2, TargetClasses = 2 }).Run(model, x, AttackGoal.Targeted(labels)));
        // A model without gradients: AutoAttack names the white-box access FAB-T needs.
        var black = new ProbabilitiesOnlyClassifier(model);
        var e = Assert.Throws<ArgumentException>(() => AutoAttackEvaluation.Evaluate(black, x, labels, new AutoAttackOptions { Members = [new Fab(new FabOptions { TargetClasses = 2 })] }));
        Assert.Equal("model", e.ParamName);
        Assert.Contains("FAB-T needs white-box access", e.Message);
    }
}
