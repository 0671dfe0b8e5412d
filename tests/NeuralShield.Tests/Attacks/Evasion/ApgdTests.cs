using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Core;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// APGD against a plain loop written here from the paper's Algorithm 1 (its own start draw, momentum step, per-sample
/// step sizes and checkpoint rules kept in host arrays), its schedule against the paper's checkpoints, its bounds and
/// its refusals.
/// </summary>
public class ApgdTests
{
    [Fact]
    public void TheCheckpointsAreThePapers()
    {
        // p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06): 22, 41, 57, 70, 80, 87, 93, 99 of 100 iterations.
        Assert.Equal([21, 40, 56, 69, 79, 86, 92, 98], Apgd.Checkpoints(100));
    }

    /// <summary>The per-sample loss, written out: cross-entropy by log-sum-exp, DLR by sorting each row.</summary>
    private static double[] NaiveLoss(float[,] logits, long[] labels, bool dlr)
    {
        var n = labels.Length;
        var c = logits.GetLength(1);
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            var row = Enumerable.Range(0, c).Select(j => (double)logits[i, j]).ToArray();
            var y = labels[i];
            if (!dlr)
            {
                var max = row.Max();
                result[i] = Math.Log(row.Sum(v => Math.Exp(v - max))) + max - row[y];
                continue;
            }
            var sorted = row.OrderByDescending(v => v).ToArray();
            var other = Enumerable.Range(0, c).Where(j => j != y).Max(j => row[j]);
            result[i] = (other - row[y]) / (sorted[0] - sorted[2] + 1e-12);
        }
        return result;
    }

    /// <summary>APGD (one run, L∞ or L2) written per sample: Algorithm 1 with the reference code's start and checkpoint rules.</summary>
    private static Tensor NaiveApgd(TorchClassifier model, Tensor x0, long[] labels, double eps, bool l2, int steps, bool dlr, long seed)
    {
        var n = labels.Length;
        using var generator = new Generator((ulong)seed);
        var draw = l2 ? randn(x0.shape, generator: generator) : rand(x0.shape, generator: generator) * 2 - 1;
        var flat0 = x0.flatten(1);
        var d = draw.flatten(1);
        var length = l2 ? (d * d).sum(1, keepdim: true).sqrt() : d.abs().max(1, keepdim: true).values;
        var x = (flat0 + eps * d / (length + 1e-12)).clamp(0, 1);

        Tensor Project(Tensor p)
        {
            var delta = p - flat0;
            if (l2)
            {
                var norm = (delta * delta).sum(1, keepdim: true).sqrt();
                delta = delta / (norm + 1e-12) * minimum(norm, tensor(eps));
            }
            else
            {
                delta = delta.clamp(-eps, eps);
            }
            return (flat0 + delta).clamp(0, 1);
        }

        (Tensor Grad, double[] Loss, long[] Pred) Evaluate(Tensor point)
        {
            using var _ = enable_grad();
            var leaf = point.detach().clone().requires_grad_(true);
            var logits = model.Module.forward(leaf.view(x0.shape));
            var host = logits.detach().cpu();
            var values = new float[n, logits.shape[1]];
            for (var i = 0; i < n; i++) for (var j = 0; j < logits.shape[1]; j++) values[i, j] = host[i, j].item<float>();
            var y = tensor(labels);
            Tensor perSample;
            if (dlr)
            {
                var sorted = logits.sort(1, descending: true).Values;
                var own = logits.gather(1, y.unsqueeze(1)).squeeze(1);
                var mask = nn.functional.one_hot(y, logits.shape[1]).to_type(ScalarType.Bool);
                var other = logits.masked_fill(mask, float.NegativeInfinity).max(1).values;
                perSample = (other - own) / (sorted[.., 0] - sorted[.., 2] + 1e-12);
            }
            else
            {
                perSample = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.None);
            }
            perSample.sum().backward();
            var pred = Enumerable.Range(0, n).Select(i => (long)Enumerable.Range(0, (int)logits.shape[1]).MaxBy(j => values[i, j])).ToArray();
            // The float32 values the loop compares, checked against the formula worked in double.
            var loss = perSample.detach().data<float>().ToArray().Select(v => (double)v).ToArray();
            var exact = NaiveLoss(values, labels, dlr);
            Assert.All(Enumerable.Range(0, n), i => Assert.Equal(exact[i], loss[i], 1e-4 * (1 + Math.Abs(exact[i]))));
            return (leaf.grad!.detach().clone(), loss, pred);
        }

        Tensor Direction(Tensor g) => l2 ? g / ((g * g).sum(1, keepdim: true).sqrt() + 1e-12) : g.sign();

        var (grad, loss, pred) = Evaluate(x);
        var found = x.clone();
        var hit = pred.Select((p, i) => p != labels[i]).ToArray();
        var best = x.clone();
        var bestGrad = grad.clone();
        var bestLoss = (double[])loss.Clone();
        var step = Enumerable.Repeat(2 * eps, n).ToArray();
        var previous = x.clone();
        var history = new List<double[]>();
        var reducedLast = Enumerable.Repeat(true, n).ToArray();
        var bestLast = (double[])bestLoss.Clone();
        var k = Math.Max((int)(0.22 * steps), 1);
        var counter = 0;
        for (var it = 0; it < steps; it++)
        {
            var momentum = x - previous;
            previous = x.clone();
            var a = it > 0 ? 0.75 : 1.0;
            var stepColumn = tensor(step.Select(s => (float)s).ToArray()).unsqueeze(1);
            var z = Project(x + stepColumn * Direction(grad));
            var next = Project(x + a * (z - x) + (1 - a) * momentum);
            (grad, loss, pred) = Evaluate(next);
            x = next;
            for (var i = 0; i < n; i++)
            {
                if (pred[i] != labels[i])
                {
                    hit[i] = true;
                    found[i] = x[i];
                }
                if (loss[i] > bestLoss[i])
                {
                    bestLoss[i] = loss[i];
                    best[i] = x[i];
                    bestGrad[i] = grad[i];
                }
            }
            history.Add(loss);
            if (++counter < k) continue;
            for (var i = 0; i < n; i++)
            {
                var rises = 0;
                for (var c = 0; c < k; c++)
                {
                    var before = it - c - 1 >= 0 ? history[it - c - 1][i] : 0.0;
                    if (history[it - c][i] > before) rises++;
                }
                var halve = rises <= k * 0.75 || (!reducedLast[i] && bestLast[i] >= bestLoss[i]);
                reducedLast[i] = halve;
                bestLast[i] = bestLoss[i];
                if (!halve) continue;
                step[i] /= 2;
                x[i] = best[i];
                grad[i] = bestGrad[i];
            }
            k = Math.Max(k - Math.Max((int)(0.03 * steps), 1), Math.Max((int)(0.06 * steps), 1));
            counter = 0;
        }
        for (var i = 0; i < n; i++) if (!hit[i]) found[i] = flat0[i];
        return found.view(x0.shape);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void OneRunMatchesThePlainLoop(bool l2, bool dlr)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 11);
        var (x, labels) = TinyImageModel.Case(model, 12, seed: 3);
        var eps = l2 ? 0.5 : 0.08;
        const int steps = 30;
        var attack = new Apgd(new ApgdOptions
        {
            Epsilon = eps, Norm = l2 ? Norm.L2 : Norm.LInf, Steps = steps, Loss = dlr ? GradientLoss.Dlr : GradientLoss.CrossEntropy, Seed = 5,
        });
        using var result = attack.Run(model, x, AttackGoal.Untargeted(labels));
        var expected = NaiveApgd(model, x, labels.data<long>().ToArray(), eps, l2, steps, dlr, seed: 5);
        var gap = (result.Adversarials - expected).abs().max().item<float>();
        Assert.True(gap < 1e-5f, $"largest difference to the plain loop: {gap}");
        // Not vacuous: the attack breaks samples (the compared points are the last adversarial iterates, which depend on the whole path).
        var rate = result.Metrics.SuccessRate;
        Assert.InRange(rate, 0.05, 1.0);
    }

    [Property(MaxTest = 12)]
    public bool StaysInTheBallAndTheBounds(byte epsByte, byte steps, bool l2, byte lossByte, bool targeted, int seed)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 2);
        var (x, labels) = TinyImageModel.Case(model, 10, seed: seed);
        var eps = 0.01 + epsByte / 255.0 * (l2 ? 2.0 : 0.3);
        var loss = (GradientLoss)(lossByte % 3);
        var goal = targeted ? AttackGoal.Targeted((labels + 1) % TinyImageModel.Classes) : AttackGoal.Untargeted(labels);
        var attack = new Apgd(new ApgdOptions { Epsilon = eps, Norm = l2 ? Norm.L2 : Norm.LInf, Steps = steps % 12 + 1, Restarts = 2, Loss = loss, Seed = seed });
        using var result = attack.Run(model, x, goal);
        var distance = (l2 ? Distances.L2(result.Adversarials, x) : Distances.LInf(result.Adversarials, x)).max().item<float>();
        return distance <= eps + 1e-5 && model.Bounds.Contains(result.Adversarials);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void EachIterationIsOneForwardPassPerEotDraw(int eot)
    {
        // One query per sample for the clean check, then (1 + Steps) gradient evaluations of EOT draws each; with
        // EOT on a deterministic model the averaged gradient is the plain one, so the result does not change.
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 12);
        var (x, labels) = TinyImageModel.Case(model, 9, seed: 6);
        const int steps = 7;
        using var result = new Apgd(new ApgdOptions { Epsilon = 0.05, Steps = steps, EotIterations = eot, Seed = 2 }).Run(model, x, AttackGoal.Untargeted(labels));
        Assert.Equal(9L + (1 + steps) * eot * 9L, result.Metrics.Queries);
        using var plain = new Apgd(new ApgdOptions { Epsilon = 0.05, Steps = steps, Seed = 2 }).Run(model, x, AttackGoal.Untargeted(labels));
        Assert.True((result.Adversarials - plain.Adversarials).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void TargetedRunsReachTheTargetOrKeepTheInput()
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 4);
        var (x, labels) = TinyImageModel.Case(model, 16, seed: 8);
        var targets = (labels + 2) % TinyImageModel.Classes;
        using var result = new Apgd(new ApgdOptions { Epsilon = 0.15, Steps = 40, Loss = GradientLoss.Dlr }).Run(model, x, AttackGoal.Targeted(targets));
        var reached = result.Predictions.eq(targets);
        var kept = (result.Adversarials - x).abs().flatten(1).amax(1).eq(0);
        Assert.True(reached.logical_or(kept).all().item<bool>());
        Assert.True(reached.any().item<bool>());
    }

    [Fact]
    public void ApgdTBreaksNoFewerThanOneTargetAlone()
    {
        // APGD-T with 3 targets runs the first target's run first on every sample, so it breaks at least what that run breaks.
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 6);
        var (x, labels) = TinyImageModel.Case(model, 24, seed: 9);
        using var one = new Apgd(new ApgdOptions { Epsilon = 0.06, Steps = 20, Loss = GradientLoss.Dlr, TargetClasses = 1 }).Run(model, x, AttackGoal.Untargeted(labels));
        using var three = new Apgd(new ApgdOptions { Epsilon = 0.06, Steps = 20, Loss = GradientLoss.Dlr, TargetClasses = 3 }).Run(model, x, AttackGoal.Untargeted(labels));
        Assert.True(one.Success.logical_and(three.Success.logical_not()).any().item<bool>() == false);
        Assert.True(three.Success.sum().item<long>() >= one.Success.sum().item<long>());
    }

    [Fact]
    public void RefusesBadSettingsAndGoals()
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 1);
        var (x, labels) = TinyImageModel.Case(model, 4, seed: 1);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Apgd(new ApgdOptions { Epsilon = 0 })).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Apgd(new ApgdOptions { Epsilon = -0.1 })).ParamName);
        Assert.Equal("Steps", Assert.Throws<ArgumentOutOfRangeException>(() => new Apgd(new ApgdOptions { Steps = 0 })).ParamName);
        Assert.Equal("Restarts", Assert.Throws<ArgumentOutOfRangeException>(() => new Apgd(new ApgdOptions { Restarts = 0 })).ParamName);
        Assert.Equal("Rho", Assert.Throws<ArgumentOutOfRangeException>(() => new Apgd(new ApgdOptions { Rho = 1 })).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Apgd(new ApgdOptions { Norm = Norm.L0 }));
        // A target class out of range.
        var attack = new Apgd(new ApgdOptions { Steps = 2 });
        Assert.Throws<ArgumentOutOfRangeException>(() => attack.Run(model, x, AttackGoal.Targeted(full(4, TinyImageModel.Classes, dtype: ScalarType.Int64))));
        Assert.Throws<ArgumentOutOfRangeException>(() => attack.Run(model, x, AttackGoal.Targeted(full(4, -1, dtype: ScalarType.Int64))));
        // More target classes than the model has besides the true one; APGD-T has no targeted goal.
        var tooMany = new Apgd(new ApgdOptions { Steps = 2, Loss = GradientLoss.Dlr, TargetClasses = TinyImageModel.Classes });
        Assert.Throws<ArgumentOutOfRangeException>(() => tooMany.Run(model, x, AttackGoal.Untargeted(labels)));
        var apgdT = new Apgd(new ApgdOptions { Steps = 2, Loss = GradientLoss.Dlr, TargetClasses = 2 });
        Assert.Throws<ArgumentException>(() => apgdT.Run(model, x, AttackGoal.Targeted(labels)));
    }

    [Fact]
    public void TheDlrLossNeedsThreeClasses()
    {
        using var scope = NewDisposeScope();
        using var model = new TorchClassifier(ModelZoo.Mlp(4, [3], 2, Activation.Tanh, 1), 2, InputBounds.Unit, ownsModule: true);
        var x = rand(3, 4);
        var e = Assert.Throws<ArgumentException>(() => new Apgd(new ApgdOptions { Steps = 2, Loss = GradientLoss.Dlr }).Run(model, x, AttackGoal.Untargeted(zeros(3, dtype: ScalarType.Int64))));
        Assert.Contains("3 classes", e.Message);
    }
}
