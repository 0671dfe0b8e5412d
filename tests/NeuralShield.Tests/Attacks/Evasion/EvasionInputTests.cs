using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// Inputs as users write them, for every evasion attack: integer labels of any dtype and float64 inputs give the same
/// result as int64 labels and float32 inputs; NaN inputs are refused naming NaN; a model with NaN outputs is never
/// fooled "successfully".
/// </summary>
public sealed class EvasionInputTests : IDisposable
{
    private readonly LabeledData _data = TestModels.Blobs(24, 8, seed: 5);
    private readonly TorchClassifier _model;

    public EvasionInputTests() => _model = TestModels.TrainedMlp(_data, seed: 5);

    public void Dispose()
    {
        _model.Dispose();
        _data.Dispose();
    }

    /// <summary>Every evasion attack of the library, with the goal kind it supports (targeted attacks aim at y + 1).</summary>
    public static TheoryData<string> Attacks() => new(Catalog().Keys);

    private static Dictionary<string, (IEvasionAttack<IDifferentiableClassifier> Attack, bool Targeted)> Catalog() => new()
    {
        ["fgsm"] = (new Fgsm(new FgsmOptions { Epsilon = 0.2 }), false),
        ["pgd-linf"] = (new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.05, Steps = 5, Seed = 3 }), false),
        ["pgd-l2-targeted"] = (new Pgd(new PgdOptions { Epsilon = 1, StepSize = 0.2, Steps = 5, Norm = Norm.L2, Seed = 3 }), true),
        ["jsma"] = (new Jsma(new JsmaOptions { Gamma = 0.5 }), true),
        ["deepfool-l2"] = (new DeepFool(new DeepFoolOptions { MaxIterations = 10 }), false),
        ["deepfool-linf"] = (new DeepFool(new DeepFoolOptions { Norm = Norm.LInf, MaxIterations = 10 }), false),
        ["cascade"] = (new Cascade<IDifferentiableClassifier>(new Fgsm(new FgsmOptions { Epsilon = 0.05 }), new DeepFool()), false),
        ["repeat"] = (new Repeat<IDifferentiableClassifier>(i => new Pgd(new PgdOptions { Epsilon = 0.2, StepSize = 0.05, Steps = 3, Seed = i }), 2), false),
    };

    private AttackGoal Goal(bool targeted, Tensor labels) => targeted ? AttackGoal.Targeted((labels + 1).remainder(3)) : AttackGoal.Untargeted(labels);

    [Theory]
    [MemberData(nameof(Attacks))]
    public void IntegerLabelsOfAnyDtypeAndFloat64InputsGiveTheFloat32Result(string name)
    {
        var (attack, targeted) = Catalog()[name];
        using var labels = _data.Labels.clone();
        using var reference = attack.Run(_model, _data.Features, Goal(targeted, labels));
        using var x64 = _data.Features.to_type(ScalarType.Float64);
        foreach (var dtype in new[] { ScalarType.Int32, ScalarType.Int16, ScalarType.Byte })
        {
            using var converted = labels.to_type(dtype);
            using var targets = targeted ? (labels + 1).remainder(3).to_type(dtype) : null;
            var goal = targeted ? AttackGoal.Targeted(targets!) : AttackGoal.Untargeted(converted);
            using var result = attack.Run(_model, x64, goal);
            Assert.Equal(ScalarType.Float32, result.Adversarials.dtype);
            Assert.True(result.Adversarials.allclose(reference.Adversarials, rtol: 1e-5, atol: 1e-5), $"{name} with {dtype} labels and float64 inputs");
            Assert.True(TensorAssert.Same(result.Success, reference.Success), name);
        }
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void NaNAndInfiniteInputsAreRefusedByName(string name)
    {
        var (attack, targeted) = Catalog()[name];
        using var x = _data.Features.clone();
        x[3, 2] = tensor(float.NaN);
        var error = Assert.Throws<ArgumentException>(() => attack.Run(_model, x, Goal(targeted, _data.Labels)));
        Assert.Equal("inputs", error.ParamName);
        Assert.Contains("NaN", error.Message);
        x[3, 2] = tensor(float.PositiveInfinity);
        error = Assert.Throws<ArgumentException>(() => attack.Run(_model, x, Goal(targeted, _data.Labels)));
        Assert.Contains("Inf", error.Message);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void AModelThatAnswersNaNIsNeverFooledSuccessfully(string name)
    {
        var (attack, targeted) = Catalog()[name];
        var broken = new NaNLogitsClassifier(_model);
        using var result = attack.Run(broken, _data.Features, Goal(targeted, _data.Labels));
        Assert.Equal(0.0, result.Metrics.SuccessRate);
        Assert.False(result.Success.any().item<bool>());
        using var finite = result.Adversarials.isfinite();
        Assert.True(finite.all().item<bool>(), $"{name} returned non-finite adversarials");
        Assert.True(broken.Bounds.Contains(result.Adversarials));
    }

    [Fact]
    public void AnEpsilonFloat32CannotHoldIsRefused()
    {
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Pgd(new PgdOptions { Epsilon = 1e39 })).ParamName);
        Assert.Equal("StepSize", Assert.Throws<ArgumentOutOfRangeException>(() => new Pgd(new PgdOptions { StepSize = 1e39 })).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Fgsm(new FgsmOptions { Epsilon = double.PositiveInfinity })).ParamName);
    }

    /// <summary>A model whose logits are NaN everywhere (as a diverged network's are).</summary>
    private sealed class NaNLogitsClassifier(IDifferentiableClassifier inner) : DifferentiableClassifierDecorator(inner)
    {
        public override Tensor Logits(Tensor inputs)
        {
            using var logits = Inner.Logits(inputs);
            return logits * float.NaN;
        }

        public override Tensor PredictProbabilities(Tensor inputs)
        {
            using var _ = no_grad();
            using var logits = Logits(inputs);
            return logits.softmax(1);
        }
    }
}
