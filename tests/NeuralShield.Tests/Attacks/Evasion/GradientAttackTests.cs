using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Metrics;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

public sealed class BlobsFixture : IDisposable
{
    public BlobsFixture()
    {
        Data = TestModels.Blobs(300, 10, seed: 7);
        Model = TestModels.TrainedMlp(Data, seed: 7);
    }

    public LabeledData Data { get; }

    public TorchClassifier Model { get; }

    public void Dispose()
    {
        Model.Dispose();
        Data.Dispose();
    }
}

public class GradientAttackTests(BlobsFixture fixture) : IClassFixture<BlobsFixture>
{
    private LabeledData Data => fixture.Data;

    private TorchClassifier Model => fixture.Model;

    [Property(MaxTest = 25)]
    public bool PgdStaysInTheBallAndTheBounds(byte epsByte, byte steps, bool l2, bool randomStart, int seed)
    {
        var eps = 0.01 + epsByte / 255.0 * (l2 ? 1.5 : 0.4);
        var attack = new Pgd(new PgdOptions
        {
            Epsilon = eps, StepSize = eps / 4, Steps = steps % 8 + 1, Norm = l2 ? Norm.L2 : Norm.LInf,
            RandomStart = randomStart, Seed = seed,
        });
        using var x = Data.Features.narrow(0, 0, 40);
        using var y = Data.Labels.narrow(0, 0, 40);
        using var result = attack.Run(Model, x, AttackGoal.Untargeted(y));
        using var distance = l2 ? Distances.L2(result.Adversarials, x) : Distances.LInf(result.Adversarials, x);
        return distance.max().item<float>() <= eps + 1e-5 && Model.Bounds.Contains(result.Adversarials);
    }

    [Fact]
    public void FgsmIsOneSignStepOnTheCrossEntropyGradient()
    {
        const double eps = 0.1;
        using var x = Data.Features.narrow(0, 0, 20);
        using var y = Data.Labels.narrow(0, 0, 20);
        using var leaf = x.clone().requires_grad_(true);
        using var logits = Model.Logits(leaf);
        using var loss = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum);
        var gradient = autograd.grad([loss], [leaf])[0];
        using var expected = (x + eps * gradient.sign()).clamp(0, 1);

        using var result = new Fgsm(new FgsmOptions { Epsilon = eps }).Run(Model, x, AttackGoal.Untargeted(y));

        Assert.True(result.Adversarials.allclose(expected, rtol: 0, atol: 1e-6));
        Assert.Equal(20, result.Metrics.Queries);
    }

    [Fact]
    public void SuccessIsTheLibrarysOwnCheckOnTheModel()
    {
        using var x = Data.Features.narrow(0, 0, 60);
        using var y = Data.Labels.narrow(0, 0, 60);
        using var result = new Pgd(new PgdOptions { Epsilon = 0.3, StepSize = 0.05, Steps = 10 }).Run(Model, x, AttackGoal.Untargeted(y));
        using var predicted = Model.Predict(result.Adversarials);
        Assert.True(predicted.ne(y).eq(result.Success).all().item<bool>());
        Assert.Equal(result.Success.to_type(ScalarType.Float32).mean().item<float>(), result.Metrics.SuccessRate, 5);
        Assert.True(result.Metrics.SuccessRate > 0.5, $"PGD at eps 0.3 should break most points, got {result.Metrics.SuccessRate}");
    }

    [Fact]
    public void TargetedPgdReachesTheTarget()
    {
        using var x = Data.Features.narrow(0, 0, 60);
        using var y = Data.Labels.narrow(0, 0, 60);
        using var target = (y + 1).remainder(3);
        using var result = new Pgd(new PgdOptions { Epsilon = 0.5, StepSize = 0.05, Steps = 30 }).Run(Model, x, AttackGoal.Targeted(target));
        Assert.True(result.Predictions.eq(target).eq(result.Success).all().item<bool>());
        Assert.True(result.Metrics.SuccessRate > 0.8, $"targeted PGD at eps 0.5: {result.Metrics.SuccessRate}");
    }

    [Fact]
    public void EarlyStopFreezesSuccessfulSamplesAndNeverLosesSuccess()
    {
        using var x = Data.Features.narrow(0, 0, 60);
        using var y = Data.Labels.narrow(0, 0, 60);
        var options = new PgdOptions { Epsilon = 0.3, StepSize = 0.05, Steps = 20, RandomStart = false };
        using var full = new Pgd(options).Run(Model, x, AttackGoal.Untargeted(y));
        options.EarlyStop = true;
        using var early = new Pgd(options).Run(Model, x, AttackGoal.Untargeted(y));
        Assert.True(early.Metrics.SuccessRate >= full.Metrics.SuccessRate - 1e-9);
        Assert.True(early.Metrics.Queries <= full.Metrics.Queries);
        Assert.True(early.Metrics.MeanLInf <= full.Metrics.MeanLInf + 1e-6);
    }

    [Property(MaxTest = 10)]
    public bool SameSeedSameResult(int seed)
    {
        using var x = Data.Features.narrow(0, 0, 16);
        using var y = Data.Labels.narrow(0, 0, 16);
        var options = new PgdOptions { Epsilon = 0.2, StepSize = 0.05, Steps = 3, Seed = seed };
        using var a = new Pgd(options).Run(Model, x, AttackGoal.Untargeted(y));
        using var b = new Pgd(options).Run(Model, x, AttackGoal.Untargeted(y));
        return TensorAssert.Same(a.Adversarials, b.Adversarials);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentRandomStarts()
    {
        using var x = Data.Features.narrow(0, 0, 16);
        using var y = Data.Labels.narrow(0, 0, 16);
        using var a = new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.001, Steps = 1, Seed = 1 }).Run(Model, x, AttackGoal.Untargeted(y));
        using var b = new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.001, Steps = 1, Seed = 2 }).Run(Model, x, AttackGoal.Untargeted(y));
        Assert.False(TensorAssert.Same(a.Adversarials, b.Adversarials));
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheirNames()
    {
        using var x = Data.Features.narrow(0, 0, 4);
        using var y = Data.Labels.narrow(0, 0, 4);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Pgd(new PgdOptions { Epsilon = 0 })).ParamName);
        Assert.Equal("Steps", Assert.Throws<ArgumentOutOfRangeException>(() => new Pgd(new PgdOptions { Steps = 0 })).ParamName);
        Assert.Equal("Norm", Assert.Throws<ArgumentOutOfRangeException>(() => new Pgd(new PgdOptions { Norm = Norm.L0 })).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Fgsm(new FgsmOptions { Epsilon = double.NaN })).ParamName);
        var fgsm = new Fgsm();
        using var short3 = Data.Labels.narrow(0, 0, 3);
        Assert.Equal("Labels", Assert.Throws<ArgumentException>(() => fgsm.Run(Model, x, AttackGoal.Untargeted(short3))).ParamName);
        using var big = full_like(y, 7);
        Assert.Equal("Labels", Assert.Throws<ArgumentOutOfRangeException>(() => fgsm.Run(Model, x, AttackGoal.Untargeted(big))).ParamName);
        using var outside = x + 2;
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => fgsm.Run(Model, outside, AttackGoal.Untargeted(y))).ParamName);
        using var vector = zeros(10);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => fgsm.Run(Model, vector, AttackGoal.Untargeted(y))).ParamName);
        using var wrongWidth = zeros(4, 11);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => Model.Logits(wrongWidth)).ParamName);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => new Pgd().Run(Model, x, AttackGoal.Untargeted(y), cts.Token));
    }
}
