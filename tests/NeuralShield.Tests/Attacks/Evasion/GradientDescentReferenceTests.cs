using NeuralShield.Attacks;
using NeuralShield.Attacks.Core;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// PGD and FGSM against a plain loop written here: its own forward through the module, its own cross-entropy and
/// logit margin, its own backward, sign or L2-normalised step, projection onto the ε-ball and clamp to [0, 1].
/// The random start is checked through <see cref="LpBall.RandomOffset"/> (its distribution) and through PGD on a
/// model whose input gradient is exactly zero (where PGD's output is its start).
/// </summary>
public class GradientDescentReferenceTests
{
    private const int Features = 12;
    private const int Classes = 4;
    private const int Samples = 16;

    /// <summary>An untrained seeded tanh MLP 12-16-4 (smooth, so no kink sits near a sample).</summary>
    private static TorchClassifier Model(int seed) =>
        new(ModelZoo.Mlp(Features, [16], Classes, Activation.Tanh, seed), Classes, InputBounds.Unit, ownsModule: true);

    /// <summary>Inputs for <paramref name="model"/>, their predicted labels and targets that differ from them.</summary>
    private static (Tensor X, Tensor Labels, Tensor Targets) Case(TorchClassifier model, int seed)
    {
        var module = model.Module;
        using var generator = new Generator((ulong)seed + 100);
        // Mostly interior points, a few features near or at the bounds so that the clamp matters.
        var x = (rand(Samples, Features, generator: generator) * 1.2 - 0.1).clamp(0, 1);
        Tensor labels, targets;
        using (no_grad())
        {
            using var logits = module.forward(x);
            labels = logits.argmax(1);
        }
        targets = (labels + 1 + randint(0, Classes - 1, [Samples], generator: generator)) % Classes;
        return (x, labels, targets);
    }

    /// <summary>The attacked objective per the papers, written out: ascended by the naive loop.</summary>
    private static Tensor NaiveObjective(Tensor logits, Tensor labels, bool targeted, GradientLoss loss)
    {
        var n = logits.shape[0];
        var own = (logits * nn.functional.one_hot(labels, Classes).to_type(logits.dtype)).sum(1);
        if (loss == GradientLoss.CrossEntropy)
        {
            // CE = log Σ_j exp(Z_j) − Z_y, with the max subtracted for stability.
            var max = logits.max(1).values.detach();
            var lse = (logits - max.unsqueeze(1)).exp().sum(1).log() + max;
            var ce = (lse - own).sum();
            return targeted ? -ce : ce;
        }
        // Logit margin: max_{j≠y} Z_j − Z_y, negated for the target (Z_t − max_{j≠t} Z_j).
        var margins = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            var y = labels[i].item<long>();
            var rest = Enumerable.Range(0, Classes).Where(j => j != y).Select(j => logits[i, j]).ToArray();
            var best = stack(rest).max();
            margins[i] = best - logits[i, y];
        }
        var sum = stack(margins).sum();
        return targeted ? -sum : sum;
    }

    /// <summary>The 3-step (or k-step) loop of Madry et al. without a random start.</summary>
    private static Tensor NaivePgd(nn.Module<Tensor, Tensor> module, Tensor x0, Tensor labels, bool targeted, GradientLoss loss,
        Norm norm, double epsilon, double alpha, int steps)
    {
        var x = x0.clone();
        for (var k = 0; k < steps; k++)
        {
            Tensor g;
            using (enable_grad())
            {
                var leaf = x.detach().clone().requires_grad_(true);
                var logits = module.forward(leaf);
                var objective = NaiveObjective(logits, labels, targeted, loss);
                objective.backward();
                g = leaf.grad!.detach().clone();
            }
            Tensor direction;
            if (norm == Norm.LInf)
            {
                direction = g.sign();
            }
            else
            {
                var length = (g * g).sum(1, keepdim: true).sqrt();
                direction = g / length;
            }
            var moved = x + alpha * direction;
            var delta = moved - x0;
            if (norm == Norm.LInf)
            {
                delta = delta.clamp(-epsilon, epsilon);
            }
            else
            {
                var length = (delta * delta).sum(1, keepdim: true).sqrt();
                var factor = (epsilon / length).clamp_max(1.0);
                delta = delta * factor;
            }
            x = (x0 + delta).clamp(0, 1);
        }
        return x;
    }

    public static TheoryData<bool, bool, bool> Settings() => new()
    {
        // (L2, targeted, logit margin)
        { false, false, false },
        { false, true, false },
        { true, false, false },
        { true, true, false },
        { false, false, true },
        { false, true, true },
        { true, false, true },
        { true, true, true },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void ThreeStepPgdWithoutRandomStartMatchesTheNaiveLoop(bool l2, bool targeted, bool margin)
    {
        using var model = Model(11);
        using var scope = NewDisposeScope();
        var (x, labels, targets) = Case(model, 11);
        var norm = l2 ? Norm.L2 : Norm.LInf;
        // The third step leaves the ball (3α > ε), so the projection is exercised.
        var epsilon = l2 ? 0.3 : 0.12;
        var alpha = l2 ? 0.15 : 0.05;
        var loss = margin ? GradientLoss.LogitMargin : GradientLoss.CrossEntropy;
        var goalLabels = targeted ? targets : labels;
        var attack = new Pgd(new PgdOptions { Epsilon = epsilon, StepSize = alpha, Steps = 3, Norm = norm, RandomStart = false, Loss = loss });
        using var result = attack.Run(model, x, targeted ? AttackGoal.Targeted(goalLabels) : AttackGoal.Untargeted(goalLabels));

        var expected = NaivePgd(model.Module, x, goalLabels, targeted, loss, norm, epsilon, alpha, 3);

        var difference = (result.Adversarials - expected).abs().max().item<float>();
        Assert.True(difference < 1e-5f, $"PGD differs from the naive loop by {difference}");
        // Not a trivial agreement: the perturbation is as large as the ball allows for most samples.
        var size = l2 ? Distances.L2(expected, x) : Distances.LInf(expected, x);
        Assert.True(size.max().item<float>() > 0.9 * epsilon, "the naive loop barely moved");
        Assert.True(size.max().item<float>() <= epsilon + 1e-5, "the naive loop left the ball");
        // And it did not merely return the input: the step direction matters, so a wrong sign would fail.
        var reversed = NaivePgd(model.Module, x, goalLabels, !targeted, loss, norm, epsilon, alpha, 3);
        Assert.True((reversed - expected).abs().max().item<float>() > 0.05f);
    }

    [Fact]
    public void PgdWithOneStepEqualsFgsmWithStepEpsilon()
    {
        using var model = Model(12);
        using var scope = NewDisposeScope();
        var (x, labels, _) = Case(model, 12);
        using var pgd = new Pgd(new PgdOptions { Epsilon = 0.1, StepSize = 0.1, Steps = 1, RandomStart = false }).Run(model, x, AttackGoal.Untargeted(labels));
        using var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.1 }).Run(model, x, AttackGoal.Untargeted(labels));
        Assert.True(TensorAssert.Same(pgd.Adversarials, fgsm.Adversarials));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void FgsmIsTheOneStepHandComputation(bool l2, bool targeted)
    {
        using var model = Model(13);
        using var scope = NewDisposeScope();
        var (x, labels, targets) = Case(model, 13);
        const double eps = 0.2;
        var goalLabels = targeted ? targets : labels;
        using var result = new Fgsm(new FgsmOptions { Epsilon = eps, Norm = l2 ? Norm.L2 : Norm.LInf })
            .Run(model, x, targeted ? AttackGoal.Targeted(goalLabels) : AttackGoal.Untargeted(goalLabels));

        // x' = clip(x ± ε·sign(∇ₓ CE)) with the cross-entropy of torch's own functional (not the naive one above).
        Tensor g;
        using (enable_grad())
        {
            var leaf = x.clone().requires_grad_(true);
            var ce = nn.functional.cross_entropy(model.Module.forward(leaf), goalLabels, reduction: nn.Reduction.Sum);
            ce.backward();
            g = leaf.grad!.clone();
        }
        var sign = targeted ? -1.0 : 1.0;
        var step = l2 ? g / (g * g).sum(1, keepdim: true).sqrt() : g.sign();
        var expected = (x + sign * eps * step).clamp(0, 1);
        var difference = (result.Adversarials - expected).abs().max().item<float>();
        Assert.True(difference < 1e-5f, $"FGSM differs from the hand computation by {difference}");
    }

    // ---- random start ----

    [Fact]
    public void LInfRandomOffsetsAreUniformOnMinusEpsilonToEpsilon()
    {
        using var scope = NewDisposeScope();
        const double eps = 0.2;
        var ball = new LpBall(Norm.LInf, eps);
        var like = zeros(4000, 10);
        var offset = ball.RandomOffset(like, seed: 5).to_type(ScalarType.Float64);
        Assert.Equal(like.shape, offset.shape);
        var values = offset.data<double>().ToArray();
        Assert.All(values, v => Assert.InRange(v, -eps - 1e-7, eps + 1e-7));
        Assert.True(values.Min() < -0.99 * eps, $"min {values.Min()}");
        Assert.True(values.Max() > 0.99 * eps, $"max {values.Max()}");
        Assert.True(Math.Abs(values.Average()) < 0.01 * eps, $"mean {values.Average()}");
        // Uniform: a quarter of the draws in each quarter of [−ε, ε] (40 000 draws: σ ≈ 0.002 per fraction).
        for (var quarter = 0; quarter < 4; quarter++)
        {
            var lo = -eps + quarter * eps / 2;
            var hi = lo + eps / 2;
            var fraction = values.Count(v => v >= lo && v < hi) / (double)values.Length;
            Assert.InRange(fraction, 0.24, 0.26);
        }
        // Independent features: the correlation of two features is near zero.
        var a = offset.select(1, 0);
        var b = offset.select(1, 1);
        var correlation = ((a - a.mean()) * (b - b.mean())).mean().item<double>() / (a.std().item<double>() * b.std().item<double>());
        Assert.InRange(correlation, -0.06, 0.06);
    }

    [Fact]
    public void L2RandomOffsetsAreUniformInTheBall()
    {
        using var scope = NewDisposeScope();
        const double eps = 0.5;
        const int d = 10;
        const int n = 8000;
        var ball = new LpBall(Norm.L2, eps);
        var offset = ball.RandomOffset(zeros(n, 2, 5), seed: 9).to_type(ScalarType.Float64).reshape(n, d);
        var radii = (offset * offset).sum(1).sqrt().data<double>().ToArray();
        Assert.All(radii, r => Assert.True(r <= eps * (1 + 1e-6), $"radius {r} > ε"));
        // Uniform in the d-ball: P(r ≤ ε·q^(1/d)) = q, so the median radius is ε·0.5^(1/d) ≈ 0.933ε.
        Array.Sort(radii);
        var median = radii[n / 2];
        // The sample median of 8000 radii has a standard deviation of about 0.001ε.
        Assert.InRange(median, eps * Math.Pow(0.5, 1.0 / d) - 0.004 * eps, eps * Math.Pow(0.5, 1.0 / d) + 0.004 * eps);
        foreach (var q in new[] { 0.05, 0.25, 0.75, 0.95 })
        {
            var fraction = radii.Count(r => r <= eps * Math.Pow(q, 1.0 / d)) / (double)n;
            Assert.InRange(fraction, q - 0.025, q + 0.025);
        }
        // A uniform direction: the mean offset is near zero and each axis carries 1/d of the squared norm.
        var mean = offset.mean([0]).abs().max().item<double>();
        Assert.True(mean < 0.02 * eps, $"mean offset {mean}");
        var share = (offset * offset).mean([0]) / (offset * offset).sum(1).mean();
        Assert.InRange(share.min().item<double>(), 0.8 / d, 1.2 / d);
        Assert.InRange(share.max().item<double>(), 0.8 / d, 1.2 / d);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RandomOffsetsRepeatForASeedAndDifferAcrossSeeds(bool l2)
    {
        using var scope = NewDisposeScope();
        var ball = new LpBall(l2 ? Norm.L2 : Norm.LInf, 0.3);
        var like = zeros(50, Features);
        Assert.True(TensorAssert.Same(ball.RandomOffset(like, 3), ball.RandomOffset(like, 3)));
        Assert.False(TensorAssert.Same(ball.RandomOffset(like, 3), ball.RandomOffset(like, 4)));
        Assert.True((ball.RandomOffset(like, 3) - ball.RandomOffset(like, 4)).abs().mean().item<float>() > 0.01f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PgdOnAModelWithZeroGradientReturnsItsClampedRandomStart(bool l2)
    {
        // Zero weights: constant logits, so ∇ₓL is exactly 0 and no step moves the point.
        var linear = nn.Linear(Features, Classes);
        using (no_grad())
        {
            linear.weight!.zero_();
            linear.bias!.copy_(tensor(new[] { 0.3f, -0.1f, 0.2f, 0f }));
        }
        using var model = new TorchClassifier(linear, Classes, InputBounds.Unit, ownsModule: true);
        using var scope = NewDisposeScope();
        using var generator = new Generator(21);
        var x = rand(Samples, Features, generator: generator);
        var labels = zeros(Samples, dtype: ScalarType.Int64);
        var eps = l2 ? 0.8 : 0.25;
        var norm = l2 ? Norm.L2 : Norm.LInf;
        using var result = new Pgd(new PgdOptions { Epsilon = eps, StepSize = 0.05, Steps = 2, Norm = norm, RandomStart = true, Seed = 77 })
            .Run(model, x, AttackGoal.Untargeted(labels));
        var expected = (x + new LpBall(norm, eps).RandomOffset(x, 77)).clamp(0, 1);
        var difference = (result.Adversarials - expected).abs().max().item<float>();
        Assert.True(difference < 1e-6f, $"PGD's start differs from clamp(x + offset) by {difference}");
        Assert.True((result.Adversarials - x).abs().max().item<float>() > 0.5 * (l2 ? eps / Math.Sqrt(Features) : eps));
        using var other = new Pgd(new PgdOptions { Epsilon = eps, StepSize = 0.05, Steps = 2, Norm = norm, RandomStart = true, Seed = 78 })
            .Run(model, x, AttackGoal.Untargeted(labels));
        Assert.False(TensorAssert.Same(result.Adversarials, other.Adversarials));
    }
}
