using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

public class UniversalPerturbationTests(LinearBlobsFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<LinearBlobsFixture>
{
    [Property(MaxTest = 12)]
    public bool StaysInsideTheXiBall(byte xiByte, int seed, bool l2, byte batch)
    {
        var xi = l2 ? 0.05 + xiByte / 255.0 : 0.01 + xiByte / 255.0 * 0.3;
        var options = new UniversalPerturbationOptions
        {
            Xi = xi, Norm = l2 ? Norm.L2 : Norm.LInf, MaxPasses = 2, Seed = seed, BatchSize = batch % 8 + 1,
        };
        using var x = fixture.Data.Features.narrow(0, 0, 40);
        using var result = new UniversalPerturbation(options).Fit(fixture.Mlp, x);
        using var applied = result.Apply(x);
        var norm = l2 ? result.Perturbation.norm().item<float>() : result.Perturbation.abs().max().item<float>();
        return norm <= xi * (1 + 1e-5) + 1e-7
            && Math.Abs(result.PerturbationNorm - norm) < 1e-6
            && result.Perturbation.shape.SequenceEqual(x.shape.Skip(1))
            && InputBounds.Unit.Contains(applied, 0f)
            && result.Passes is >= 1 and <= 2
            && result.FoolingRateHistory.Count == result.Passes;
    }

    /// <summary>
    /// The reference code's Algorithm 1 (LTS4 universal_pert.py with its deepfool.py), one point at a time, written
    /// out on plain tensors for the affine model z = W x + b (so ∇z_k = W_k): pass p visits the points in the order of
    /// randperm(N) seeded with seed + p − 1; a point with k̂(x + v) = k̂(x) gets DeepFool (L2) run on the UNclamped x + v,
    /// and when it changed the label within the step limit, v ← P(v + (1 + η)·Σ r_i). The fooling rate after each pass
    /// is measured on clamp(x + v); the best pass's v is returned.
    /// </summary>
    private static (Tensor V, List<double> History) ReferenceLoop(Tensor w, Tensor b, Tensor x, UniversalPerturbationOptions o)
    {
        using var scope = NewDisposeScope();
        var n = (int)x.shape[0];
        long Top(Tensor z) => z.argmax().item<long>();
        var clean = x.matmul(w.t()).add(b).argmax(1).data<long>().ToArray();
        var v = zeros(x.shape[1]);
        var best = v.clone();
        var bestRate = -1.0;
        var history = new List<double>();
        for (var pass = 1; pass <= o.MaxPasses; pass++)
        {
            using var generator = new Generator((ulong)(o.Seed + pass - 1));
            foreach (var i in randperm(n, generator: generator, dtype: ScalarType.Int64).data<long>().ToArray())
            {
                var label = clean[i];
                var start = x[i] + v;
                if (Top(w.matmul(start) + b) != label) continue;
                var rTotal = zeros_like(start);
                var current = start;
                var iterations = 0;
                var predicted = label;
                while (predicted == label && iterations < o.MaxDeepFoolIterations)
                {
                    var z = w.matmul(current) + b;
                    var (pert, direction) = (double.PositiveInfinity, zeros_like(start));
                    for (var k = 0; k < w.shape[0]; k++)
                    {
                        if (k == label) continue;
                        var wk = w[k] - w[label];
                        var distance = Math.Abs((z[k] - z[label]).item<float>()) / wk.norm().item<float>();
                        if (distance < pert) (pert, direction) = (distance, wk / wk.norm());
                    }
                    rTotal = rTotal + (pert + DeepFoolSearch.StepFloor) * direction;
                    current = start + (1 + o.Overshoot) * rTotal;
                    iterations++;
                    predicted = Top(w.matmul(current) + b);
                }
                if (predicted == label) continue;
                v = v + (1 + o.Overshoot) * rTotal;
                v = o.Norm == Norm.LInf ? v.clamp(-o.Xi, o.Xi) : v * Math.Min(1.0, o.Xi / v.norm().item<float>());
            }
            var perturbed = (x + v).clamp(0, 1).matmul(w.t()).add(b).argmax(1).data<long>().ToArray();
            var rate = (double)perturbed.Zip(clean).Count(p => p.First != p.Second) / n;
            history.Add(rate);
            if (rate > bestRate) (bestRate, best) = (rate, v.clone());
            if (rate >= 1 - o.Delta) break;
        }
        return (best.MoveToOuterDisposeScope(), history);
    }

    [Theory]
    [InlineData(false, 0.25, 3)]
    [InlineData(false, 0.15, 4)]
    [InlineData(true, 0.6, 5)]
    public void TheReferenceOrderMatchesAHandWrittenReferenceLoop(bool l2, double xi, long seed)
    {
        var layer = (TorchSharp.Modules.Linear)fixture.Linear.Module.children().Last();
        using var w = layer.weight!.detach().clone();
        using var b = layer.bias!.detach().clone();
        using var x = fixture.Data.Features.narrow(0, 0, 80);
        var options = new UniversalPerturbationOptions
        {
            Xi = xi, Norm = l2 ? Norm.L2 : Norm.LInf, MaxPasses = 4, Delta = 0.05, BatchSize = 1, Seed = seed,
        };
        using var result = new UniversalPerturbation(options).Fit(fixture.Linear, x);
        var (expected, history) = ReferenceLoop(w, b, x, options);
        using var _ = expected;

        Assert.True(expected.abs().max().item<float>() > 0, "the reference loop should move v");
        Assert.True(result.Perturbation.allclose(expected, rtol: 1e-4, atol: 1e-5),
            $"max |v − v_ref| = {(result.Perturbation - expected).abs().max().item<float>()}");
        Assert.Equal(history.Count, result.Passes);
        for (var p = 0; p < history.Count; p++) Assert.Equal(history[p], result.FoolingRateHistory[p], 6);
        Assert.Equal(history.Max(), result.FittingFoolingRate, 6);
    }

    [Fact]
    public void TheBatchedDefaultFoolsAsManyFittingPointsAsTheReferenceOrder()
    {
        // The default folds the DeepFool steps of 32 points computed at one v; the reference order recomputes every
        // step at the latest v. Over three seeds and two balls (radii where v does not saturate the ball's corners),
        // the batched loop's best fitting-set fooling rate must not fall more than 2 points below the reference
        // order's on average, on the MLP (where DeepFool takes several steps). Measured: 17.4% batched, 15.7% reference.
        using var x = fixture.Data.Features.narrow(0, 0, 150);
        double batched = 0, reference = 0;
        var rates = new List<string>();
        foreach (var (xi, norm) in new[] { (0.1, Norm.LInf), (0.2, Norm.L2) })
        foreach (var seed in new long[] { 1, 2, 3 })
        {
            var options = new UniversalPerturbationOptions { Xi = xi, Norm = norm, MaxPasses = 5, Delta = 0.01, Seed = seed };
            Assert.Equal(32, options.BatchSize);
            using var a = new UniversalPerturbation(options).Fit(fixture.Mlp, x);
            options.BatchSize = 1;
            using var b = new UniversalPerturbation(options).Fit(fixture.Mlp, x);
            batched += a.FittingFoolingRate / 6;
            reference += b.FittingFoolingRate / 6;
            rates.Add($"{norm} xi {xi} seed {seed}: batched {a.FittingFoolingRate:P1}, reference {b.FittingFoolingRate:P1}");
        }
        output.WriteLine(string.Join("; ", rates));
        Assert.True(batched >= reference - 0.02, string.Join("; ", rates));
    }

    [Property(MaxTest = 10)]
    public bool ProjectedGradientStaysInsideTheXiBall(byte xiByte, int seed, bool l2, byte batch)
    {
        var xi = l2 ? 0.05 + xiByte / 255.0 : 0.01 + xiByte / 255.0 * 0.3;
        var options = new UniversalPerturbationOptions
        {
            Search = UniversalSearch.ProjectedGradient, Xi = xi, Norm = l2 ? Norm.L2 : Norm.LInf, Epochs = 3, Seed = seed,
            GradientBatchSize = batch % 16 + 1, StepSize = xi / 2,
        };
        using var x = fixture.Data.Features.narrow(0, 0, 40);
        using var result = new UniversalPerturbation(options).Fit(fixture.Mlp, x);
        using var applied = result.Apply(x);
        var norm = l2 ? result.Perturbation.norm().item<float>() : result.Perturbation.abs().max().item<float>();
        return norm <= xi * (1 + 1e-5) + 1e-7
            && result.Perturbation.shape.SequenceEqual(x.shape.Skip(1))
            && InputBounds.Unit.Contains(applied, 0f)
            && result.Passes is >= 1 and <= 3
            && result.FoolingRateHistory.Count == result.Passes
            && Math.Abs(result.FittingFoolingRate - result.FoolingRateHistory.Max()) < 1e-12
            && Math.Abs(result.FoolingRate(fixture.Mlp, x) - result.FittingFoolingRate) < 1e-6;
    }

    [Fact]
    public void ProjectedGradientIsSeededAndComesCloseToTheDeepFoolLoop()
    {
        using var x = fixture.Data.Features.narrow(0, 0, 150);
        using var heldOut = fixture.Data.Features.narrow(0, 150, 150);
        var deepFool = new UniversalPerturbationOptions { Xi = 0.25, MaxPasses = 5, BatchSize = 8, Seed = 1 };
        var gradient = new UniversalPerturbationOptions
        {
            Search = UniversalSearch.ProjectedGradient, Xi = 0.25, Epochs = 10, GradientBatchSize = 16, Delta = 0.01, Seed = 1,
        };
        using var loop = new UniversalPerturbation(deepFool).Fit(fixture.Mlp, x);
        using var a = new UniversalPerturbation(gradient).Fit(fixture.Mlp, x);
        using var b = new UniversalPerturbation(gradient).Fit(fixture.Mlp, x);
        Assert.True(TensorAssert.Same(a.Perturbation, b.Perturbation));
        Assert.Equal(a.FittingFoolingRate, b.FittingFoolingRate);
        gradient.Seed = 2;
        using var c = new UniversalPerturbation(gradient).Fit(fixture.Mlp, x);
        Assert.False(TensorAssert.Same(a.Perturbation, c.Perturbation));

        var loopRate = loop.FoolingRate(fixture.Mlp, heldOut);
        var gradientRate = a.FoolingRate(fixture.Mlp, heldOut);
        // On these 10-feature blobs the DeepFool loop (unclamped x + v while fitting, best pass kept) is the stronger
        // search: measured 74.0% vs 68.0% on the fitting set. The gradient search must stay within 10 points of it and
        // transfer to the other half of the blobs without collapsing.
        Assert.True(a.FittingFoolingRate >= loop.FittingFoolingRate - 0.10,
            $"fitting set: projected gradient {a.FittingFoolingRate:P1} < DeepFool loop {loop.FittingFoolingRate:P1} − 10 points");
        Assert.True(gradientRate >= 0.4, $"held-out fooling rate {gradientRate:P1} < 40% at xi = 0.25 (DeepFool loop {loopRate:P1})");
    }

    [Fact]
    public void ProjectedGradientRejectsBadSettingsAndHonoursCancellation()
    {
        static string? Name(UniversalPerturbationOptions o) => Assert.Throws<ArgumentOutOfRangeException>(() => new UniversalPerturbation(o)).ParamName;
        Assert.Equal("StepSize", Name(new() { Search = UniversalSearch.ProjectedGradient, StepSize = 0 }));
        Assert.Equal("StepSize", Name(new() { StepSize = double.NaN }));
        Assert.Equal("Epochs", Name(new() { Epochs = 0 }));
        Assert.Equal("GradientBatchSize", Name(new() { GradientBatchSize = 0 }));
        Assert.Equal("Kappa", Name(new() { Kappa = -0.1 }));
        Assert.Equal("Search", Name(new() { Search = (UniversalSearch)7 }));

        var fitter = new UniversalPerturbation(new UniversalPerturbationOptions { Search = UniversalSearch.ProjectedGradient });
        using var outside = fixture.Data.Features.narrow(0, 0, 4) + 2;
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => fitter.Fit(fixture.Mlp, outside)).ParamName);
        using var x = fixture.Data.Features.narrow(0, 0, 8);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => fitter.Fit(fixture.Mlp, x, cts.Token));
    }

    /// <summary>Class 1 exactly when the first feature exceeds 0.5.</summary>
    private static TorchClassifier Threshold()
    {
        var layer = nn.Linear(2, 2);
        using (no_grad())
        {
            layer.weight!.copy_(tensor(new float[] { 0, 0, 10, 0 }).view(2, 2));
            layer.bias!.copy_(tensor(new float[] { 0, -5 }));
        }
        return new TorchClassifier(layer, 2, InputBounds.Unit, ownsModule: true);
    }

    [Fact]
    public void FoolingRateCountsChangedLabelsNotErrors()
    {
        using var model = Threshold();
        using var images = tensor(new float[] { 0.2f, 0, 0.4f, 0, 0.6f, 0, 0.8f, 0 }).view(4, 2);
        // Clean predictions 0, 0, 1, 1. With v = (0.25, 0): 0.45, 0.65, 0.85, 1.05 → 1 (clamped): predictions 0, 1, 1, 1.
        // Only the second point changes label: fooling rate 1/4, although three of four predictions are "1".
        using var result = new UniversalPerturbationResult(tensor(new float[] { 0.25f, 0 }), InputBounds.Unit, Norm.LInf, 0.25, 0, 0, []);
        Assert.Equal(0.25, result.FoolingRate(model, images), 6);
        using var applied = result.Apply(images);
        Assert.Equal(1f, applied[3, 0].item<float>());
        using var down = new UniversalPerturbationResult(tensor(new float[] { -0.35f, 0 }), InputBounds.Unit, Norm.LInf, 0.35, 0, 0, []);
        Assert.Equal(0.5, down.FoolingRate(model, images), 6);
    }

    [Fact]
    public void FittingReportsItsOwnFoolingRateAndStopsAtOneMinusDelta()
    {
        using var x = fixture.Data.Features.narrow(0, 0, 100);
        var reports = new List<UniversalPassReport>();
        var options = new UniversalPerturbationOptions { Xi = 0.6, Delta = 0.3, MaxPasses = 6, BatchSize = 4, Seed = 3 };
        using var result = new UniversalPerturbation(options).Fit(fixture.Mlp, x, new Collect(reports));

        Assert.Equal(result.FittingFoolingRate, result.FoolingRate(fixture.Mlp, x), 6);
        Assert.Equal(result.FittingFoolingRate, result.FoolingRateHistory.Max());
        Assert.Equal(result.FittingFoolingRate, result.FoolingRateHistory[^1]);
        Assert.Equal(result.Passes, reports.Count);
        Assert.True(result.FittingFoolingRate >= 0.7, $"a ball of radius 0.6 should fool 70% of the blobs; got {result.FittingFoolingRate:P1}");
        Assert.All(result.FoolingRateHistory.Take(result.Passes - 1), r => Assert.True(r < 0.7));
        Assert.True(reports[0].Updates > 0);
    }

    [Fact]
    public void SameSeedSameVDifferentSeedDifferentV()
    {
        using var x = fixture.Data.Features.narrow(0, 0, 60);
        var options = new UniversalPerturbationOptions { Xi = 0.3, MaxPasses = 2, Seed = 5 };
        using var a = new UniversalPerturbation(options).Fit(fixture.Mlp, x);
        using var b = new UniversalPerturbation(options).Fit(fixture.Mlp, x);
        Assert.True(TensorAssert.Same(a.Perturbation, b.Perturbation));
        Assert.Equal(a.FittingFoolingRate, b.FittingFoolingRate);
        options.Seed = 6;
        using var c = new UniversalPerturbation(options).Fit(fixture.Mlp, x);
        Assert.False(TensorAssert.Same(a.Perturbation, c.Perturbation));
    }

    [Fact]
    public void TheAttackAddsTheFixedPerturbationWithoutQueryingTheModel()
    {
        using var x = fixture.Data.Features.narrow(0, 0, 50);
        using var y = fixture.Data.Labels.narrow(0, 0, 50);
        using var fitted = new UniversalPerturbation(new UniversalPerturbationOptions { Xi = 0.4, MaxPasses = 2 }).Fit(fixture.Mlp, x);
        using var attack = fitted.AsAttack();
        fitted.Dispose();   // the attack holds its own copy
        IClassifier blackBox = new BlackBox(fixture.Mlp);
        using var result = attack.Run(blackBox, x, AttackGoal.Untargeted(y));
        using var again = new UniversalPerturbation(new UniversalPerturbationOptions { Xi = 0.4, MaxPasses = 2 }).Fit(fixture.Mlp, x);
        using var expected = again.Apply(x);
        Assert.True(result.Adversarials.allclose(expected, rtol: 0, atol: 1e-7));
        Assert.Equal(0, result.Metrics.Queries);
        using var linf = Distances.LInf(result.Adversarials, x);
        Assert.True(linf.max().item<float>() <= 0.4f + 1e-6f);
        Assert.Equal("goal", Assert.Throws<ArgumentException>(() => attack.Run(blackBox, x, AttackGoal.Targeted(y))).ParamName);
        using var wrongShape = zeros(3, 5);
        using var wrongLabels = zeros(3, dtype: ScalarType.Int64);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => attack.Run(blackBox, wrongShape, AttackGoal.Untargeted(wrongLabels))).ParamName);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheirNames()
    {
        Assert.Equal("Xi", Assert.Throws<ArgumentOutOfRangeException>(() => new UniversalPerturbation(new UniversalPerturbationOptions { Xi = 0 })).ParamName);
        Assert.Equal("Xi", Assert.Throws<ArgumentOutOfRangeException>(() => new UniversalPerturbation(new UniversalPerturbationOptions { Xi = -1 })).ParamName);
        Assert.Equal("Delta", Assert.Throws<ArgumentOutOfRangeException>(() => new UniversalPerturbation(new UniversalPerturbationOptions { Delta = 0 })).ParamName);
        Assert.Equal("Delta", Assert.Throws<ArgumentOutOfRangeException>(() => new UniversalPerturbation(new UniversalPerturbationOptions { Delta = 1 })).ParamName);
        Assert.Equal("Norm", Assert.Throws<ArgumentOutOfRangeException>(() => new UniversalPerturbation(new UniversalPerturbationOptions { Norm = Norm.L0 })).ParamName);
        Assert.Equal("MaxPasses", Assert.Throws<ArgumentOutOfRangeException>(() => new UniversalPerturbation(new UniversalPerturbationOptions { MaxPasses = 0 })).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new UniversalPerturbation(new UniversalPerturbationOptions { BatchSize = 0 })).ParamName);
        Assert.Equal("MaxDeepFoolIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new UniversalPerturbation(new UniversalPerturbationOptions { MaxDeepFoolIterations = 0 })).ParamName);

        var fitter = new UniversalPerturbation();
        using var empty = zeros(0, 10);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => fitter.Fit(fixture.Mlp, empty)).ParamName);
        using var outside = fixture.Data.Features.narrow(0, 0, 4) + 2;
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => fitter.Fit(fixture.Mlp, outside)).ParamName);
        using var vector = zeros(10);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => fitter.Fit(fixture.Mlp, vector)).ParamName);
        Assert.Throws<ArgumentNullException>(() => fitter.Fit(null!, vector));

        using var x = fixture.Data.Features.narrow(0, 0, 8);
        using var result = fitter.Fit(fixture.Mlp, x);
        using var wrongShape = zeros(2, 9);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => result.Apply(wrongShape)).ParamName);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => result.FoolingRate(fixture.Mlp, wrongShape)).ParamName);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => fitter.Fit(fixture.Mlp, x, cts.Token));
    }

    private sealed class Collect(List<UniversalPassReport> into) : IProgress<UniversalPassReport>
    {
        public void Report(UniversalPassReport value) => into.Add(value);
    }

    /// <summary>Only the black-box surface of a classifier.</summary>
    private sealed class BlackBox(IClassifier inner) : IClassifier
    {
        public int ClassCount => inner.ClassCount;

        public InputBounds Bounds => inner.Bounds;

        public Device Device => inner.Device;

        public long QueryCount => inner.QueryCount;

        public Tensor PredictProbabilities(Tensor inputs) => inner.PredictProbabilities(inputs);
    }
}

[Collection(MnistCollection.Name)]
public class UniversalPerturbationMnistTests(MnistFixture mnist, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void APerturbationFittedOn500TestImagesFoolsLeNetOnOtherImages()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var train = mnist.Train.Take(5_000);
        var module = ModelZoo.LeNet5(seed: 0);
        new NeuralShield.Training.Trainer(new NeuralShield.Training.TrainingOptions { Epochs = 2, BatchSize = 64, LearningRate = 2e-3, Seed = 0 }).Fit(module, train);
        using var model = new TorchClassifier(module, 10, InputBounds.Unit, inputShape: [1, 28, 28], ownsModule: true);
        var trained = watch.Elapsed;

        using var fit = mnist.Test.Take(500);
        using var heldOut = mnist.Test.Slice(9_000, 1_000);
        var options = new UniversalPerturbationOptions { Xi = 0.3, Norm = Norm.LInf, MaxPasses = 2, BatchSize = 16, Seed = 0 };
        using var result = new UniversalPerturbation(options).Fit(model, fit.Features);
        var rate = result.FoolingRate(model, heldOut.Features);
        watch.Stop();
        output.WriteLine($"training {trained.TotalSeconds:F0} s; fitting-set fooling rate {result.FittingFoolingRate:P1} after {result.Passes} passes ({string.Join(", ", result.FoolingRateHistory.Select(r => r.ToString("P1")))}); "
            + $"held-out fooling rate {rate:P1}; total {watch.Elapsed.TotalSeconds:F0} s");

        Assert.True(result.PerturbationNorm <= 0.3 + 1e-6);
        Assert.True(rate >= 0.30, $"held-out fooling rate {rate:P1} < 30% at xi = 0.3");
        using var applied = result.Apply(heldOut.Features);
        Assert.True(InputBounds.Unit.Contains(applied, 0f));
    }
}
