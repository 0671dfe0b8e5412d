using System.Diagnostics;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;
using Xunit.Abstractions;

namespace NeuralShield.Tests.Training;

[Collection(MnistCollection.Name)]
public class MnistTrainingTests(MnistFixture mnist, ITestOutputHelper output)
{
    [Fact]
    public void LeNetReaches97PercentOnTheOfficialTestSet()
    {
        var watch = Stopwatch.StartNew();
        var module = ModelZoo.LeNet5(seed: 0);
        new Trainer(new TrainingOptions { Epochs = 8, BatchSize = 64, LearningRate = 2e-3, Seed = 0 }).Fit(module, mnist.Train);
        watch.Stop();
        using var model = new TorchClassifier(module, 10, ownsModule: true);
        var accuracy = ModelAccuracy.Of(model, mnist.Test);
        output.WriteLine($"LeNet-5: test accuracy {accuracy:P2} after {watch.Elapsed.TotalSeconds:F1} s of training");
        Assert.True(accuracy >= 0.97, $"LeNet-5 test accuracy {accuracy:P2} < 97%");
    }

    [Fact]
    public void SoftmaxRegressionReaches90PercentAndFgsmAtQuarterEpsilonBreaksIt()
    {
        var module = ModelZoo.SoftmaxRegression(784, 10, seed: 0);
        new Trainer(new TrainingOptions { Epochs = 10, BatchSize = 128, LearningRate = 1e-3, Seed = 0 }).Fit(module, mnist.Train);
        using var model = new TorchClassifier(module, 10, ownsModule: true);
        var accuracy = ModelAccuracy.Of(model, mnist.Test);
        output.WriteLine($"softmax regression: test accuracy {accuracy:P2}");
        Assert.True(accuracy >= 0.90, $"softmax regression test accuracy {accuracy:P2} < 90%");

        using var images = mnist.Test.Take(1000);
        using var result = new Fgsm(new FgsmOptions { Epsilon = 0.25 }).Run(model, images.Features, AttackGoal.Untargeted(images.Labels));
        output.WriteLine($"FGSM eps=0.25: error {result.Metrics.SuccessRate:P2} (Goodfellow et al.: 99.9%)");
        Assert.True(result.Metrics.SuccessRate >= 0.95, $"FGSM error {result.Metrics.SuccessRate:P2} < 95%");
        using var linf = Distances.LInf(result.Adversarials, images.Features);
        Assert.True(linf.max().item<float>() <= 0.25f + 1e-6f);
        Assert.True(InputBounds.Unit.Contains(result.Adversarials, 0f));
    }

    [Fact]
    public void TrainingIsSeededAndDeterministicOnCpu()
    {
        using var subset = mnist.Train.Take(1000);
        float[] Weights(long seed)
        {
            using var module = ModelZoo.Mlp(784, [32], 10, Activation.ReLU, seed);
            new Trainer(new TrainingOptions { Epochs = 1, BatchSize = 100, Seed = seed }).Fit(module, subset);
            return module.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        }
        Assert.Equal(Weights(3), Weights(3));
        Assert.NotEqual(Weights(3), Weights(4));
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpochAndCancellationStops()
    {
        using var subset = mnist.Train.Take(2000);
        using var validation = mnist.Test.Take(500);
        var module = ModelZoo.SoftmaxRegression(784, 10, seed: 1);
        var result = new Trainer(new TrainingOptions { Epochs = 30, LearningRate = 0.05, EarlyStopPatience = 2 }).Fit(module, subset, validation);
        var best = result.Epochs.Max(e => e.ValidationAccuracy!.Value);
        Assert.Equal(best, result.Epochs[result.BestEpoch - 1].ValidationAccuracy!.Value);
        Assert.Equal(best, ModelAccuracy.Of(module, validation), 6);
        if (result.StoppedEarly) Assert.True(result.Epochs.Count < 30);

        using var cts = new CancellationTokenSource();
        var epochs = 0;
        var progress = new CallbackProgress(_ => { if (++epochs == 1) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() =>
            new Trainer(new TrainingOptions { Epochs = 50 }).Fit(module, subset, progress: progress, cancellationToken: cts.Token));
        Assert.Equal(1, epochs);
    }

    [Fact]
    public void BadTrainingArgumentsAreRejected()
    {
        Assert.Equal("Epochs", Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(new TrainingOptions { Epochs = 0 })).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(new TrainingOptions { LearningRate = -1 })).ParamName);
        Assert.Equal("Momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(new TrainingOptions { Momentum = 2 })).ParamName);
        using var module = ModelZoo.SoftmaxRegression(784, 10);
        using var subset = mnist.Train.Take(10);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => new Trainer(new TrainingOptions { EarlyStopPatience = 1 }).Fit(module, subset)).ParamName);
    }

    private sealed class CallbackProgress(Action<EpochReport> callback) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => callback(value);
    }
}
