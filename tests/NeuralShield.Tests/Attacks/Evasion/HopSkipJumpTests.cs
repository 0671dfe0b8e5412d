using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Onnx;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// HopSkipJump against the closed form of an ONNX model whose logits are its 16 inputs (class = argmax): the nearest
/// adversarial moves the top input and the runner-up to their midpoint, at L2 distance gap/√2 and L∞ distance gap/2. Also
/// its query budget, its bounds, the label-only output defense (the same result: only labels are used) and its refusals.
/// </summary>
public class HopSkipJumpTests
{
    [Theory]
    [InlineData(Norm.L2)]
    [InlineData(Norm.LInf)]
    public void ApproachesTheExactMinimumOnAnOnnxBlackBox(Norm norm)
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxClassifier(IdentityOnnxModel.Bytes());
        var (x, labels, gap) = IdentityOnnxModel.Case(8, seed: 3);
        using var result = new HopSkipJump(new HopSkipJumpOptions { Norm = norm, MaxQueries = 1500, Seed = 1 }).Run(model, x, AttackGoal.Untargeted(labels));
        Assert.True(result.Success.all().item<bool>());
        var optimum = norm == Norm.L2 ? gap / Math.Sqrt(2) : gap / 2;
        var ratio = (norm == Norm.L2 ? result.L2 : result.LInf) / optimum;
        Assert.True(ratio.min().item<float>() >= 0.999f, $"below the exact minimum: {ratio.min().item<float>()}");
        Assert.True(ratio.median().item<float>() <= 1.1f, $"median more than 10% above the exact minimum: {ratio.median().item<float>()}");
    }

    [Property(MaxTest = 6)]
    public bool NeverExceedsItsBudgetAndStaysInTheBounds(int seed, byte budgetByte, bool lInf)
    {
        var budget = budgetByte % 200 + 1;
        return DecisionAttackChecks.WithinBudgetAndBounds(new HopSkipJump(new HopSkipJumpOptions { Norm = lInf ? Norm.LInf : Norm.L2, MaxQueries = budget, Seed = seed }), budget, seed);
    }

    [Fact]
    public void ALabelOnlyOutputChangesNothing() => DecisionAttackChecks.LabelOnlyOutputChangesNothing(new HopSkipJump(new HopSkipJumpOptions { MaxQueries = 150, Seed = 4 }));

    [Fact]
    public void RefusesBadSettingsAndInputs()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("MaxQueries", Assert.Throws<ArgumentOutOfRangeException>(() => new HopSkipJump(new HopSkipJumpOptions { MaxQueries = 0 })).ParamName);
        Assert.Equal("Gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new HopSkipJump(new HopSkipJumpOptions { Gamma = 0 })).ParamName);
        Assert.Equal("Norm", Assert.Throws<ArgumentOutOfRangeException>(() => new HopSkipJump(new HopSkipJumpOptions { Norm = Norm.L0 })).ParamName);
        Assert.Equal("InitialEvaluations", Assert.Throws<ArgumentOutOfRangeException>(() => new HopSkipJump(new HopSkipJumpOptions { InitialEvaluations = 0 })).ParamName);
        using var model = TinyImageModel.Model(seed: 1);
        var (x, labels) = TinyImageModel.Case(model, 3, seed: 1);
        var attack = new HopSkipJump(new HopSkipJumpOptions { MaxQueries = 5 });
        Assert.Equal("goal", Assert.Throws<ArgumentException>(() => attack.Run(model, x, AttackGoal.Targeted(labels))).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => attack.Run(model, x, AttackGoal.Untargeted(full(3, 9, dtype: ScalarType.Int64))));
    }
}
