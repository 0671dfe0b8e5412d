using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>Softmax regression and an MLP trained on the 3-class blobs, shared by the DeepFool and universal-perturbation tests.</summary>
public sealed class LinearBlobsFixture : IDisposable
{
    public LinearBlobsFixture()
    {
        Data = TestModels.Blobs(300, 10, seed: 11);
        var module = ModelZoo.SoftmaxRegression(10, 3, seed: 11);
        new Trainer(new TrainingOptions { Epochs = 40, BatchSize = 32, LearningRate = 5e-2, Seed = 11 }).Fit(module, Data);
        Linear = new TorchClassifier(module, 3, InputBounds.Unit, ownsModule: true);
        Mlp = TestModels.TrainedMlp(Data, seed: 11);
    }

    public LabeledData Data { get; }

    public TorchClassifier Linear { get; }

    public TorchClassifier Mlp { get; }

    public void Dispose()
    {
        Linear.Dispose();
        Mlp.Dispose();
        Data.Dispose();
    }
}

public class DeepFoolTests(LinearBlobsFixture fixture) : IClassFixture<LinearBlobsFixture>
{
    /// <summary>A binary linear classifier z = W x + b on a wide box, so that clamping never acts.</summary>
    private static TorchClassifier BinaryLinear(int features, long seed, out Tensor w, out float b)
    {
        using var generator = new Generator((ulong)seed);
        var layer = nn.Linear(features, 2);
        using (no_grad())
        {
            layer.weight!.copy_(randn(2, features, generator: generator));
            layer.bias!.copy_(randn(2, generator: generator));
            w = (layer.weight[1] - layer.weight[0]).detach().clone();
            b = (layer.bias[1] - layer.bias[0]).item<float>();
        }
        return new TorchClassifier(layer, 2, new InputBounds(-1000f, 1000f), ownsModule: true);
    }

    [Property(MaxTest = 20)]
    public bool FindsTheExactClosestBoundaryOfALinearBinaryModel(int seed, bool lInf)
    {
        const int features = 12;
        using var model = BinaryLinear(features, seed, out var w, out var b);
        using var _ = w;
        using var generator = new Generator((ulong)seed + 1);
        using var x = randn(32, features, generator: generator) * 2;
        using var labels = model.Predict(x);
        using var result = new DeepFool(new DeepFoolOptions { Norm = lInf ? Norm.LInf : Norm.L2 }).Run(model, x, AttackGoal.Untargeted(labels));

        // Analytic distance to the hyperplane w·x + b = 0: |w·x + b| / ‖w‖_q (q = 2 for p = 2, q = 1 for p = ∞).
        using var margin = (x.matmul(w) + b).abs();
        using var dual = lInf ? w.abs().sum() : w.norm();
        using var analytic = margin / dual;
        using var measured = lInf ? result.LInf : result.L2;
        // One step suffices on a linear model: the reference code lengthens it by 1e-4, then the overshoot by 2%.
        using var ratio = measured / (analytic + DeepFoolSearch.StepFloor);
        var (lo, hi) = (ratio.min().item<float>(), ratio.max().item<float>());
        var ok = result.Success.all().item<bool>() && lo >= 1.0f - 1e-4f && hi <= 1.03f && result.Metrics.Queries <= 3 * 32;
        if (!ok) Console.WriteLine($"seed {seed}, lInf {lInf}: ratio [{lo}, {hi}], success {result.Metrics.SuccessRate}, queries {result.Metrics.Queries}");
        return ok;
    }

    [Fact]
    public void ChangesTheLabelOfNearlyEveryPointOfTrainedModels()
    {
        var data = fixture.Data;
        foreach (var (model, norm) in new[] { (fixture.Linear, Norm.L2), (fixture.Linear, Norm.LInf), (fixture.Mlp, Norm.L2), (fixture.Mlp, Norm.LInf) })
        {
            using var result = new DeepFool(new DeepFoolOptions { Norm = norm }).Run(model, data.Features, AttackGoal.Untargeted(data.Labels));
            Assert.True(result.Metrics.SuccessRate >= 0.95, $"{norm} DeepFool success {result.Metrics.SuccessRate:P1} < 95%");
            Assert.True(model.Bounds.Contains(result.Adversarials, 0f));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FindsTheClosestFaceOfATrainedMultiClassLinearModel(bool lInf)
    {
        // A multi-class linear model's decision region is a polyhedron: the minimal perturbation in ℓ_p is
        // min_{k≠y} |f_k − f_y| / ‖w_k − w_y‖_q, which DeepFool reaches in one step (then overshoots by 2%).
        var linear = fixture.Linear.Module;
        using var wide = new TorchClassifier(linear, 3, new InputBounds(-1000f, 1000f));
        var data = fixture.Data;
        using var x = data.Features.narrow(0, 0, 100);
        using var predicted = wide.Predict(x);
        using var result = new DeepFool(new DeepFoolOptions { Norm = lInf ? Norm.LInf : Norm.L2 }).Run(wide, x, AttackGoal.Untargeted(predicted));

        var layer = (TorchSharp.Modules.Linear)linear.children().Last();
        using var weight = layer.weight!.detach();
        using var logits = wide.Logits(x).detach();
        using var own = logits.gather(1, predicted.unsqueeze(1));
        using var gaps = (logits - own).abs();                                       // [N, 3]
        using var ownRows = weight.index_select(0, predicted);                        // [N, D]
        using var differences = weight.unsqueeze(0) - ownRows.unsqueeze(1);          // [N, 3, D]
        using var dual = lInf ? differences.abs().sum(2) : differences.norm(2, false, 2.0f);
        using var distances = (gaps / dual).masked_fill(dual.lt(1e-9), float.PositiveInfinity);
        using var analytic = distances.amin(1);
        using var measured = lInf ? result.LInf : result.L2;
        using var ratio = measured / analytic;

        Assert.True(result.Success.all().item<bool>());
        Assert.InRange(ratio.min().item<float>(), 1.0f, 1.03f);
        Assert.InRange(ratio.max().item<float>(), 1.0f, 1.03f);
    }

    [Fact]
    public void AlreadyMisclassifiedSamplesAreLeftUnchangedAndStoppedSamplesStop()
    {
        var data = fixture.Data;
        using var x = data.Features.narrow(0, 0, 40);
        using var predicted = fixture.Mlp.Predict(x);
        using var wrong = (predicted + 1).remainder(3);
        using var result = new DeepFool().Run(fixture.Mlp, x, AttackGoal.Untargeted(wrong));
        Assert.True(TensorAssert.Same(result.Adversarials, x));
        Assert.Equal(1.0, result.Metrics.SuccessRate);

        using var outcome = DeepFoolSearch.Run(fixture.Mlp, x, predicted, new DeepFoolOptions(), clampToBounds: true, CancellationToken.None);
        Assert.True(outcome.Fooled.all().item<bool>());
        Assert.True(outcome.Steps.min().item<long>() >= 1);
        using var maxOne = DeepFoolSearch.Run(fixture.Mlp, x, predicted, new DeepFoolOptions { MaxIterations = 1 }, clampToBounds: true, CancellationToken.None);
        Assert.True(maxOne.Steps.max().item<long>() <= 1);
        using var notAttacked = DeepFoolSearch.Run(fixture.Mlp, x, wrong, new DeepFoolOptions(), clampToBounds: true, CancellationToken.None);
        Assert.True(notAttacked.Fooled.all().item<bool>());
        Assert.Equal(0, notAttacked.Steps.max().item<long>());
        Assert.Equal(0f, notAttacked.Perturbation.abs().max().item<float>());
    }

    [Theory]
    [InlineData(false, 3)]
    [InlineData(true, 3)]
    [InlineData(false, 4)]
    [InlineData(true, 8)]
    public void OneSearchStepOnAnAffineModelMatchesAHandComputation(bool lInf, int seed)
    {
        // z = W x + b, 4 classes, 5 features. By hand, per point, in double precision: for every k ≠ y,
        // f'_k = z_k − z_y and w'_k = W_k − W_y; l = argmin |f'_k| / ‖w'_k‖_q; the step
        // r = (|f'_l| / ‖w'_l‖_q + 10⁻⁴)·d(w'_l), d = w/‖w‖₂ (L2) or sign(w) (L∞), lands 10⁻⁴ past the boundary
        // z_l = z_y, and DeepFool returns (1 + η)·r after that one step.
        const int features = 5, classes = 4, points = 16;
        const double overshoot = 0.05;
        using var generator = new Generator((ulong)seed);
        var layer = nn.Linear(features, classes);
        using (no_grad())
        {
            layer.weight!.copy_(randn(classes, features, generator: generator));
            layer.bias!.copy_(randn(classes, generator: generator) * 0.2);
        }
        using var model = new TorchClassifier(layer, classes, InputBounds.Unit, ownsModule: true);
        using var x = rand(points, features, generator: generator);
        using var labels = model.Predict(x);
        var options = new DeepFoolOptions { Norm = lInf ? Norm.LInf : Norm.L2, Overshoot = overshoot, CandidateClasses = 10 };
        // Not clamped: the adversarials may leave the unit box, as in the paper.
        using var outcome = DeepFoolSearch.Run(model, x, labels, options, clampToBounds: false);

        var w = layer.weight!.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var b = layer.bias!.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var xs = x.to_type(ScalarType.Float64).data<double>().ToArray();
        var ys = labels.data<long>().ToArray();
        var measured = outcome.Perturbation.to_type(ScalarType.Float64).data<double>().ToArray();
        var adversarial = outcome.Adversarial.to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.True(outcome.Fooled.all().item<bool>());
        Assert.True(outcome.Steps.eq(1).all().item<bool>());
        for (var i = 0; i < points; i++)
        {
            double Z(int c, Func<int, double> input) => b[c] + Enumerable.Range(0, features).Sum(j => w[c * features + j] * input(j));
            var y = (int)ys[i];
            var (best, bestDistance) = (-1, double.PositiveInfinity);
            for (var k = 0; k < classes; k++)
            {
                if (k == y) continue;
                var gap = Math.Abs(Z(k, j => xs[i * features + j]) - Z(y, j => xs[i * features + j]));
                var diff = Enumerable.Range(0, features).Select(j => w[k * features + j] - w[y * features + j]).ToArray();
                var dual = lInf ? diff.Sum(Math.Abs) : Math.Sqrt(diff.Sum(d => d * d));
                if (gap / dual < bestDistance) (best, bestDistance) = (k, gap / dual);
            }
            var wl = Enumerable.Range(0, features).Select(j => w[best * features + j] - w[y * features + j]).ToArray();
            var length = Math.Sqrt(wl.Sum(d => d * d));
            var direction = wl.Select(d => lInf ? Math.Sign(d) : d / length).ToArray();
            var expected = direction.Select(d => (1 + overshoot) * (bestDistance + DeepFoolSearch.StepFloor) * d).ToArray();
            for (var j = 0; j < features; j++)
            {
                Assert.Equal(expected[j], measured[i * features + j], 1e-5);
                Assert.Equal(xs[i * features + j] + expected[j], adversarial[i * features + j], 1e-5);
            }

            // Without the floor and the overshoot, the step ends on the boundary z_l = z_y.
            double Landed(int j) => xs[i * features + j] + bestDistance * direction[j];
            Assert.Equal(0, Z(best, Landed) - Z(y, Landed), 1e-9);
        }
    }

    [Fact]
    public void IsDeterministic()
    {
        var data = fixture.Data;
        using var x = data.Features.narrow(0, 0, 30);
        using var y = data.Labels.narrow(0, 0, 30);
        using var a = new DeepFool().Run(fixture.Mlp, x, AttackGoal.Untargeted(y));
        using var b = new DeepFool().Run(fixture.Mlp, x, AttackGoal.Untargeted(y));
        Assert.True(TensorAssert.Same(a.Adversarials, b.Adversarials));
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheirNames()
    {
        Assert.Equal("Overshoot", Assert.Throws<ArgumentOutOfRangeException>(() => new DeepFool(new DeepFoolOptions { Overshoot = -0.1 })).ParamName);
        Assert.Equal("MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new DeepFool(new DeepFoolOptions { MaxIterations = 0 })).ParamName);
        Assert.Equal("CandidateClasses", Assert.Throws<ArgumentOutOfRangeException>(() => new DeepFool(new DeepFoolOptions { CandidateClasses = 1 })).ParamName);
        Assert.Equal("Norm", Assert.Throws<ArgumentOutOfRangeException>(() => new DeepFool(new DeepFoolOptions { Norm = Norm.L0 })).ParamName);
        var data = fixture.Data;
        using var x = data.Features.narrow(0, 0, 4);
        using var y = data.Labels.narrow(0, 0, 4);
        Assert.Equal("goal", Assert.Throws<ArgumentException>(() => new DeepFool().Run(fixture.Mlp, x, AttackGoal.Targeted(y))).ParamName);
        using var empty = zeros(0, 10);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => new DeepFool().Run(fixture.Mlp, empty, AttackGoal.Untargeted(y))).ParamName);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => new DeepFool().Run(fixture.Mlp, x, AttackGoal.Untargeted(y), cts.Token));
    }
}
