using NeuralShield.Defenses.Training;
using NeuralShield.Models;
using NeuralShield.Privacy;
using NeuralShield.Tests.Privacy;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Training;

/// <summary>The DP-SGD update: clipping, noise, equivalence with SGD in the limit, and the defense end to end.</summary>
public sealed class DpSgdTests
{
    private static List<Tensor> Snapshot(nn.Module<Tensor, Tensor> model) => model.parameters().Select(p => p.detach().clone()).ToList();

    private static Tensor Delta(nn.Module<Tensor, Tensor> model, List<Tensor> before) =>
        cat(model.parameters().Select((p, i) => (p.detach() - before[i]).flatten()).ToList());

    [Fact]
    public void WithoutNoiseOrClippingTheStepIsPlainSgdOnTheMeanLoss()
    {
        using var g = new Generator(1);
        using var x = rand([8, 1, 14, 14], generator: g);
        using var y = randint(0, 3, [8], generator: g);
        using var dp = PerSampleGradientsTests.SmallCnn(3);
        using var plain = PerSampleGradientsTests.SmallCnn(3);
        using var dpOptimizer = optim.SGD(dp.parameters(), 0.1);
        using var plainOptimizer = optim.SGD(plain.parameters(), 0.1);

        var loss = new DpSgdStep(double.PositiveInfinity, 0).Update(dp, dpOptimizer, x, y, step: 0);

        plainOptimizer.zero_grad();
        using var plainLoss = nn.functional.cross_entropy(plain.forward(x), y);
        plainLoss.backward();
        plainOptimizer.step();

        Assert.Equal(plainLoss.item<float>(), loss, 5);
        foreach (var (a, b) in dp.parameters().Zip(plain.parameters()))
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void EachSampleIsClippedToTheNormAndTheLotAveraged()
    {
        const double clip = 0.05;
        using var g = new Generator(2);
        using var x = rand([6, 7], generator: g);
        using var y = randint(0, 3, [6], generator: g);
        using var model = ModelZoo.Mlp(7, [5], 3, Activation.Tanh, seed: 4);
        var perSample = PerSampleGradients.Compute(model, x, y);
        using var flat = cat(perSample.Select(p => p.Gradient.flatten(1)).ToList(), 1);
        using var norms = flat.norm(1);
        Assert.True(norms.min().item<float>() > clip, "the test needs every per-sample norm above C");
        using var expected = (flat * (clip / norms).clamp_max(1).unsqueeze(1)).sum(0L) / 6;

        using var optimizer = optim.SGD(model.parameters(), 1.0);
        var before = Snapshot(model);
        new DpSgdStep(clip, 0).Update(model, optimizer, x, y, 0);
        using var delta = Delta(model, before);
        Assert.True((-delta).allclose(expected, rtol: 1e-4, atol: 1e-7));

        // One sample alone: the step moves the weights by exactly C.
        for (var n = 0; n < 3; n++)
        {
            before = Snapshot(model);
            new DpSgdStep(clip, 0, expectedBatchSize: 1).Update(model, optimizer, x[n..(n + 1)], y[n..(n + 1)], 0);
            using var single = Delta(model, before);
            Assert.Equal(clip, single.norm().item<float>(), 4);
        }
        foreach (var (_, t) in perSample) t.Dispose();
    }

    [Fact]
    public void NoiseHasStandardDeviationSigmaCOverL()
    {
        using var model = ModelZoo.Mlp(50, [40], 3, Activation.Tanh, seed: 5);
        using var optimizer = optim.SGD(model.parameters(), 1.0);
        using var x = zeros(0, 50);
        using var y = zeros(0, ScalarType.Int64);
        var before = Snapshot(model);
        new DpSgdStep(2.0, 1.5, expectedBatchSize: 10, seed: 3).Update(model, optimizer, x, y, 0);
        using var delta = Delta(model, before);
        Assert.Equal(2.0 * 1.5 / 10, delta.std().item<float>(), 2);
        Assert.Equal(0, delta.mean().item<float>(), 2);
    }

    [Fact]
    public void PoissonTrainingLearnsAndReportsEpsilon()
    {
        using var data = TestModels.Blobs(600, 6, seed: 7);
        var defense = new DifferentiallyPrivateTraining(new DifferentiallyPrivateTrainingOptions
        {
            Recipe = new ModelRecipe
            {
                Architecture = seed => ModelZoo.Mlp(6, [16], 3, Activation.Tanh, seed),
                Training = new TrainingOptions { Epochs = 4, BatchSize = 60, LearningRate = 0.5, Optimizer = OptimizerKind.Sgd, Momentum = 0 },
            },
            TargetEpsilon = 4, Delta = 1e-3,
        });
        using var result = defense.Fit(data);
        Assert.Equal(40, result.Steps);
        Assert.Equal(0.1, result.SamplingRate, 10);
        Assert.True(result.Privacy.Epsilon <= 4 && result.Privacy.Epsilon > 3.5, result.Privacy.ToString());
        Assert.Equal(RdpAccountant.Epsilon(0.1, result.NoiseMultiplier, 40, 1e-3).Epsilon, result.Privacy.Epsilon, 10);
        Assert.True(ModelAccuracy.Of(result.Classifier, data) > 0.8);
        Assert.Equal(4, result.Training.Epochs.Count);
    }

    [Fact]
    public void ShuffledBatchesRunThroughTheTrainer()
    {
        using var data = TestModels.Blobs(300, 6, seed: 8);
        var defense = new DifferentiallyPrivateTraining(new DifferentiallyPrivateTrainingOptions
        {
            Recipe = new ModelRecipe
            {
                Architecture = seed => ModelZoo.Mlp(6, [16], 3, Activation.Tanh, seed),
                Training = new TrainingOptions { Epochs = 2, BatchSize = 50, LearningRate = 0.5, Optimizer = OptimizerKind.Sgd, Momentum = 0 },
            },
            NoiseMultiplier = 1.0, Sampling = LotSampling.Shuffled, Delta = 1e-3,
        });
        using var result = defense.Fit(data);
        Assert.Equal(12, result.Steps);
        Assert.Equal(1.0, result.NoiseMultiplier);
        Assert.Equal(RdpAccountant.Epsilon(50.0 / 300, 1.0, 12, 1e-3).Epsilon, result.Privacy.Epsilon, 10);
    }

    [Fact]
    public void BadSettingsAreNamed()
    {
        var recipe = new ModelRecipe { Architecture = seed => ModelZoo.Mlp(6, [4], 3, Activation.Tanh, seed) };
        Assert.Equal("Delta", Assert.Throws<ArgumentOutOfRangeException>(() => new DifferentiallyPrivateTraining(new() { Recipe = recipe, Delta = 1 })).ParamName);
        Assert.Equal("ClipNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new DifferentiallyPrivateTraining(new() { Recipe = recipe, ClipNorm = 0 })).ParamName);
        var early = new ModelRecipe { Architecture = recipe.Architecture, Training = new TrainingOptions { EarlyStopPatience = 2 } };
        Assert.Equal("Recipe", Assert.Throws<ArgumentException>(() => new DifferentiallyPrivateTraining(new() { Recipe = early })).ParamName);
        Assert.Equal("clipNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new DpSgdStep(double.PositiveInfinity, 1)).ParamName);
    }
}
