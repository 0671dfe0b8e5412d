using System.Diagnostics;
using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>Small seeded models and inputs for the JSMA properties.</summary>
internal static class JsmaCase
{
    public static readonly long[] Shape = [3, 4, 4];

    public const int Features = 48;

    public const int Classes = 4;

    /// <summary>An untrained seeded MLP over [3, 4, 4] inputs in <paramref name="bounds"/>.</summary>
    public static TorchClassifier Model(int seed, InputBounds? bounds = null) =>
        new(ModelZoo.Mlp(Features, [24], Classes, Activation.Tanh, seed), Classes, bounds ?? InputBounds.Unit, ownsModule: true);

    /// <summary>
    /// A batch [count, 3, 4, 4] in the box, with about a fifth of the features at each bound, and targets [count]
    /// that differ from the model's prediction.
    /// </summary>
    public static (Tensor Inputs, Tensor Targets) Batch(IClassifier model, int seed, int count)
    {
        using var generator = new Generator((ulong)seed + 1);
        using var u = rand([count, .. Shape], generator: generator);
        using var pick = rand([count, .. Shape], generator: generator);
        var lo = model.Bounds.Lower;
        var range = model.Bounds.Range;
        using var inner = u * range + lo;
        using var atLow = pick.lt(0.2);
        using var atHigh = pick.gt(0.8);
        var inputs = inner.masked_fill(atLow, lo).masked_fill_(atHigh, model.Bounds.Upper);
        using var predicted = model.Predict(inputs);
        using var shift = randint(1, Classes, [count], generator: generator);
        var targets = (predicted + shift).remainder(Classes);
        return (inputs, targets);
    }
}

[Collection(MnistCollection.Name)]
public class JsmaTests(MnistFixture mnist, ITestOutputHelper output)
{
    private static EvasionResult Attack(TorchClassifier model, Tensor inputs, Tensor targets, JsmaOptions options) =>
        new Jsma(options).Run(model, inputs, AttackGoal.Targeted(targets));

    private static JsmaOptions Options(double gamma, bool increase, bool logits, bool single = false, long memory = JsmaOptions.DefaultPairSearchMemoryBytes) => new()
    {
        Gamma = gamma,
        Direction = increase ? JsmaDirection.Increase : JsmaDirection.Decrease,
        Output = logits ? JsmaOutput.Logits : JsmaOutput.Probabilities,
        Search = single ? JsmaSearch.SingleFeatureTopTwo : JsmaSearch.Pairwise,
        PairSearchMemoryBytes = memory,
    };

    private static double GammaFrom(byte b) => (b % 100 + 1) / 100.0;

    [Property(MaxTest = 30)]
    public bool ChangesAtMostCeilGammaTimesNFeatures(byte gammaByte, bool increase, bool logits, bool single, int seed)
    {
        var gamma = GammaFrom(gammaByte);
        using var model = JsmaCase.Model(seed);
        var (x, t) = JsmaCase.Batch(model, seed, 5);
        using var _ = x;
        using var __ = t;
        if (Jsma.IterationBudget(JsmaCase.Features, gamma) == 0)
        {
            // A budget that allows no iteration is refused, naming gamma, instead of returning the inputs unchanged.
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => Attack(model, x, t, Options(gamma, increase, logits, single)));
            return error.ParamName == "Gamma";
        }
        using var result = Attack(model, x, t, Options(gamma, increase, logits, single));
        var limit = Math.Ceiling(gamma * JsmaCase.Features);
        return result.L0.max().item<float>() <= limit
            && result.L0.max().item<float>() <= 2 * Jsma.IterationBudget(JsmaCase.Features, gamma);
    }

    [Property(MaxTest = 30)]
    public bool MovesEachChangedFeatureOnlyTowardsItsBound(bool increase, bool logits, bool single, int seed)
    {
        var bounds = new InputBounds(-1f, 2f);
        using var model = JsmaCase.Model(seed, bounds);
        var (x, t) = JsmaCase.Batch(model, seed, 5);
        using var _ = x;
        using var __ = t;
        using var result = Attack(model, x, t, Options(0.5, increase, logits, single));
        using var adv = result.Adversarials;
        using var changed = adv.ne(x);
        var bound = increase ? bounds.Upper : bounds.Lower;
        using var monotone = increase ? adv.ge(x) : adv.le(x);
        using var atBound = adv.eq(bound).logical_or(changed.logical_not());
        return monotone.all().item<bool>() && atBound.all().item<bool>() && bounds.Contains(adv, 0f);
    }

    [Property(MaxTest = 20)]
    public bool IsDeterministic(bool increase, bool logits, bool single, int seed)
    {
        using var model = JsmaCase.Model(seed);
        var (x, t) = JsmaCase.Batch(model, seed, 4);
        using var _ = x;
        using var __ = t;
        using var first = Attack(model, x, t, Options(0.3, increase, logits, single));
        using var second = Attack(model, x, t, Options(0.3, increase, logits, single));
        return TensorAssert.Same(first.Adversarials, second.Adversarials);
    }

    [Property(MaxTest = 20)]
    public bool DoesNotDependOnThePairSearchMemoryBudget(bool increase, bool logits, int seed)
    {
        using var model = JsmaCase.Model(seed);
        var (x, t) = JsmaCase.Batch(model, seed, 6);
        using var _ = x;
        using var __ = t;
        // 1 KiB: 51 scores per block, part of one row at a time; 4 KiB: several rows of several samples per block.
        using var tiny = Attack(model, x, t, Options(0.4, increase, logits, memory: 1024));
        using var small = Attack(model, x, t, Options(0.4, increase, logits, memory: 4096));
        using var large = Attack(model, x, t, Options(0.4, increase, logits));
        var unpruned = Options(0.4, increase, logits, memory: 4096);
        unpruned.PairSearchPruning = false;
        using var full = Attack(model, x, t, unpruned);
        return TensorAssert.Same(tiny.Adversarials, large.Adversarials) && TensorAssert.Same(small.Adversarials, large.Adversarials)
            && TensorAssert.Same(full.Adversarials, large.Adversarials);
    }

    /// <summary>A naive pair loop in float32, the same arithmetic as the paper's Algorithm 3 on unit-scaled gradients.</summary>
    private static (long P, long Q, bool Found) NaiveBestPair(float[] target, float[] others, bool[] domain, bool increase)
    {
        static float[] Unit(float[] g)
        {
            var m = g.Max(MathF.Abs);
            return g.Select(v => v / (m == 0 ? 1f : m)).ToArray();
        }
        var a = Unit(target);
        var b = Unit(others);
        // Algorithm 3: the running max starts at 0 and a pair replaces it only with a strictly larger −α·β.
        var best = 0f;
        (long, long, bool) result = (0, 0, false);
        for (var p = 0; p < a.Length; p++)
        for (var q = p + 1; q < a.Length; q++)
        {
            if (!domain[p] || !domain[q]) continue;
            var alpha = increase ? a[p] + a[q] : -a[p] + -a[q];
            var beta = increase ? b[p] + b[q] : -b[p] + -b[q];
            if (!(alpha > 0 && beta < 0)) continue;
            var score = alpha * -beta;
            if (score > best)
            {
                best = score;
                result = (p, q, true);
            }
        }
        return result;
    }

    [Property(MaxTest = 15)]
    public bool PairSearchMatchesTheNaivePairLoopForAnyBlockSize(int seed, bool increase, byte memoryByte, byte zeros)
    {
        const int samples = 3;
        const int n = 150;
        using var generator = new Generator((ulong)seed);
        // Gradients on a coarse grid produce exact ties, which must go to the first pair in row-major order.
        using var target = (randn(samples, n, generator: generator) * 4).round() / 4;
        using var others = (randn(samples, n, generator: generator) * 4).round() / 4;
        using var domain = rand(samples, n, generator: generator).gt(zeros / 300.0);
        var expected = Enumerable.Range(0, samples)
            .Select(s => NaiveBestPair(target[s].data<float>().ToArray(), others[s].data<float>().ToArray(), domain[s].data<bool>().ToArray(), increase))
            .ToArray();
        // 1 KiB splits a row of 149 columns into blocks of 51; the others take several rows (and samples) per block.
        foreach (var memory in new[] { 1024L, 1024L + memoryByte * 97L, JsmaOptions.DefaultPairSearchMemoryBytes })
        foreach (var prune in new[] { true, false })
        {
            var (p, q, found) = Jsma.BestPairs(target, others, domain, increase, memory, CancellationToken.None, prune);
            if (!Matches(p, q, found, expected)) return false;
        }
        // F = softmax: no others-gradient means exactly −∂F_t/∂x.
        var expectedF = Enumerable.Range(0, samples).Select(s =>
        {
            var t = target[s].data<float>().ToArray();
            return NaiveBestPair(t, t.Select(v => -v).ToArray(), domain[s].data<bool>().ToArray(), increase);
        }).ToArray();
        foreach (var prune in new[] { true, false })
        {
            var (p, q, found) = Jsma.BestPairs(target, null, domain, increase, 1024L + memoryByte * 97L, CancellationToken.None, prune);
            if (!Matches(p, q, found, expectedF)) return false;
        }
        return true;
    }

    private static bool Matches(Tensor p, Tensor q, Tensor found, (long P, long Q, bool Found)[] expected)
    {
        using var _ = p;
        using var __ = q;
        using var ___ = found;
        for (var s = 0; s < expected.Length; s++)
        {
            if (found[s].item<bool>() != expected[s].Found) return false;
            if (expected[s].Found && (p[s].item<long>() != expected[s].P || q[s].item<long>() != expected[s].Q)) return false;
        }
        return true;
    }

    [Fact]
    public void TopTwoFeaturesTakesTheTwoLargestSignedTargetGradientsInTheDomain()
    {
        using var target = tensor(new float[,] { { 0.5f, -2f, 3f, 1f, 0.1f }, { 0.5f, -2f, 3f, 1f, 0.1f } });
        using var domain = tensor(new bool[,] { { true, true, false, true, true }, { true, true, true, true, true } });
        var (p, q, found) = Jsma.TopTwoFeatures(target, domain, increase: true);
        Assert.Equal(new long[] { 3, 2 }, p.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 3 }, q.data<long>().ToArray());
        Assert.True(found.all().item<bool>());
        var (pd, qd, _) = Jsma.TopTwoFeatures(target, domain, increase: false);
        Assert.Equal(new long[] { 1, 1 }, pd.data<long>().ToArray());
        Assert.Equal(new long[] { 4, 4 }, qd.data<long>().ToArray());
    }

    [Fact]
    public void FirstIterationOnALinearModelPicksThePaperPairOfTheLogitJacobian()
    {
        // JSMA-Z on softmax regression: ∂Z_t/∂x = W_t and Σ_j ∂Z_j/∂x = Σ_j W_j, whatever x is.
        using var model = new TorchClassifier(ModelZoo.SoftmaxRegression(20, 3, seed: 5), 3, ownsModule: true);
        var weight = ((TorchSharp.Modules.Linear)model.Module.named_children().Single(c => c.name == "linear").module).weight!;
        using var x = full(1, 20, 0.5f);
        using var predicted = model.Predict(x);
        var t = (predicted.item<long>() + 1) % 3;
        using var targets = tensor(new[] { t });
        var wt = weight[t].data<float>().ToArray();
        using var columnSums = weight.detach().sum([0L]);
        var others = columnSums.data<float>().Zip(wt, (s, w) => s - w).ToArray();
        var expected = NaiveBestPair(wt, others, Enumerable.Repeat(true, 20).ToArray(), increase: true);
        Assert.True(expected.Found);

        // γ = 0.1 on 20 features: ⌊20·0.1/2⌋ = 1 iteration.
        using var result = Attack(model, x, targets, Options(0.1, increase: true, logits: true));
        using var changed = result.Adversarials.ne(x).view(-1).nonzero().view(-1);
        Assert.Equal(new[] { expected.P, expected.Q }, changed.data<long>().ToArray());
        Assert.Equal(1f, result.Adversarials[0, expected.P].item<float>());
    }

    [Fact]
    public void SamplesAlreadyInTheTargetClassAndFeaturesAtTheBoundAreLeftAlone()
    {
        using var model = JsmaCase.Model(11);
        using var ones = full([2, .. JsmaCase.Shape], 1f);
        using var predicted = model.Predict(ones);
        using var result = Attack(model, ones, predicted, Options(1.0, increase: true, logits: false));
        Assert.True(TensorAssert.Same(result.Adversarials, ones));
        Assert.True(result.Success.all().item<bool>());

        // Every feature already at the upper bound: the domain is empty, so nothing changes even for another target.
        using var other = (predicted + 1).remainder(JsmaCase.Classes);
        using var stuck = Attack(model, ones, other, Options(1.0, increase: true, logits: false));
        Assert.True(TensorAssert.Same(stuck.Adversarials, ones));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        using var model = JsmaCase.Model(1);
        var (x, t) = JsmaCase.Batch(model, 1, 2);
        using var _ = x;
        using var __ = t;
        var untargeted = Assert.Throws<ArgumentException>(() => new Jsma().Run(model, x, AttackGoal.Untargeted(t)));
        Assert.Equal("goal", untargeted.ParamName);
        foreach (var gamma in new[] { 0.0, -0.1, 1.01, double.NaN, double.PositiveInfinity })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Jsma(new JsmaOptions { Gamma = gamma }));
            Assert.Equal(nameof(JsmaOptions.Gamma), e.ParamName);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new Jsma(new JsmaOptions { PairSearchMemoryBytes = 1023 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Jsma(new JsmaOptions { Direction = (JsmaDirection)7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Jsma(new JsmaOptions { Output = (JsmaOutput)7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Jsma(new JsmaOptions { Search = (JsmaSearch)7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Jsma.IterationBudget(0, 0.5));
        using var badTargets = tensor(new long[] { 0, JsmaCase.Classes });
        Assert.ThrowsAny<ArgumentException>(() => new Jsma().Run(model, x, AttackGoal.Targeted(badTargets)));
        using var outside = x + 5;
        Assert.Throws<ArgumentException>(() => new Jsma().Run(model, outside, AttackGoal.Targeted(t)));
        var options = new JsmaOptions { Gamma = 0.2 };
        var attack = new Jsma(options);
        options.Gamma = 5;
        Assert.Equal(0.2, attack.Options.Gamma);
    }

    [Fact]
    public void IterationBudgetIsTheReferenceFloorAndNeverExceedsCeilGammaN()
    {
        Assert.Equal(56, Jsma.IterationBudget(784, 0.145)); // ⌊784·0.145/2⌋: at most 112 of 784 pixels (14.3%)
        Assert.Equal(1, Jsma.IterationBudget(100, 0.02));
        Assert.Equal(0, Jsma.IterationBudget(10, 0.1));
        for (var n = 1; n < 300; n += 7)
        for (var g = 0.01; g <= 1.0; g += 0.01)
            Assert.True(2 * Jsma.IterationBudget(n, g) <= Math.Ceiling(g * n), $"n={n}, gamma={g}");
    }

    [Fact]
    public void CancellationStopsTheAttack()
    {
        using var model = JsmaCase.Model(3);
        var (x, t) = JsmaCase.Batch(model, 3, 2);
        using var _ = x;
        using var __ = t;
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new Jsma().Run(model, x, AttackGoal.Targeted(t), cts.Token));
    }

    [Fact]
    public void BlocksFitTheBudgetForA224By224ColourImage()
    {
        const long n = 3 * 224 * 224;
        foreach (var budget in new[] { JsmaOptions.DefaultPairSearchMemoryBytes, 256L << 20, JsmaOptions.MinimumPairSearchMemoryBytes })
        {
            var rows = Jsma.RowsPerBlock(n, budget);
            var columns = Jsma.ColumnsPerBlock(rows, n - 1, budget);
            Assert.True(rows >= 1 && columns >= 1 && columns <= n - 1);
            Assert.True(rows * columns * Jsma.PairSearchBytesPerScore <= budget, $"block {rows}×{columns} over {budget} bytes");
            // The widest row, the one of p = 0, is fully covered in ⌈(n − 1) / columns⌉ blocks.
            output.WriteLine($"3×224×224, budget {budget} bytes: {rows} row(s) × {columns} columns per block");
        }
        Assert.Equal(22, Jsma.RowsPerBlock(n, JsmaOptions.DefaultPairSearchMemoryBytes));
        Assert.Equal(89, Jsma.RowsPerBlock(n, 256L << 20));
        Assert.Equal(51, Jsma.ColumnsPerBlock(1, n - 1, JsmaOptions.MinimumPairSearchMemoryBytes));
    }

    [Fact]
    public void RunsOnAColourImageWithASmallMemoryBudget()
    {
        // One 3×32×32 image (3,072 features, 4.7 million pairs) through a small conv net, with a 1 MiB budget.
        random.manual_seed(2);
        using var module = nn.Sequential(
            ("conv", nn.Conv2d(3, 4, 3, stride: 2)), ("act", nn.ReLU()), ("flatten", nn.Flatten()), ("fc", nn.Linear(4 * 15 * 15, 10)));
        using var model = new TorchClassifier(module, 10);
        using var generator = new Generator(4);
        using var x = rand([1, 3, 32, 32], generator: generator);
        using var predicted = model.Predict(x);
        using var target = (predicted + 3).remainder(10);
        var options = Options(0.01, increase: true, logits: false, memory: 1L << 20);
        var watch = Stopwatch.StartNew();
        using var result = Attack(model, x, target, options);
        output.WriteLine($"3×32×32: success {result.Success.item<bool>()}, L0 {result.L0.item<float>()}, {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(result.L0.item<float>() <= 2 * Jsma.IterationBudget(3072, 0.01));
        Assert.True(result.L0.item<float>() >= 2 || result.Success.item<bool>());
        Assert.True(InputBounds.Unit.Contains(result.Adversarials, 0f));
    }

    [Fact]
    public void LeNetOnMnistIsFooledTowardsNineTargetsWithFewPixels()
    {
        var watch = Stopwatch.StartNew();
        // LeNet-5, 3 epochs on the 10,000 training images (about 97% test accuracy).
        var module = ModelZoo.LeNet5(seed: 0);
        new Trainer(new TrainingOptions { Epochs = 3, BatchSize = 64, LearningRate = 2e-3, Seed = 0 }).Fit(module, mnist.Train);
        using var model = new TorchClassifier(module, 10, InputBounds.Unit, ownsModule: true);
        var accuracy = ModelAccuracy.Of(model, mnist.Test);
        output.WriteLine($"LeNet-5 (3 epochs, 10k images): accuracy {accuracy:P2}, trained in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(accuracy > 0.96, $"LeNet-5 accuracy {accuracy:P2} ≤ 96%");

        using var images = mnist.Test.Take(10);
        // Each image against each of the 9 classes other than its label.
        using var repeated = images.Features.repeat_interleave(9, 0);
        using var labels = images.Labels.repeat_interleave(9);
        using var offsets = arange(1, 10, dtype: ScalarType.Int64).repeat(10);
        using var targets = (labels + offsets).remainder(10);
        var attackWatch = Stopwatch.StartNew();
        using var result = new Jsma().Run(model, repeated, AttackGoal.Targeted(targets));
        var m = result.Metrics;
        output.WriteLine($"JSMA-F, 10 images × 9 targets: success {m.SuccessRate:P1}, mean L0 fraction {m.MeanL0Fraction:P2} (successful), {m.MeanL0FractionAll:P2} (all), {attackWatch.Elapsed.TotalSeconds:F1} s");
        Assert.True(m.SuccessRate >= 0.80, $"success {m.SuccessRate:P1} < 80%");
        Assert.True(m.MeanL0Fraction <= 0.08, $"mean L0 fraction {m.MeanL0Fraction:P2} > 8%");
        using var changedUp = result.Adversarials.lt(repeated);
        Assert.False(changedUp.any().item<bool>());
    }
}
