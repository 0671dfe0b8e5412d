using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Defenses.Output;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Onnx;
using NeuralShield.Tests.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// HopSkipJump against the closed form of an ONNX model whose logits are its 16 inputs (class = argmax): the nearest
/// adversarial moves the top input and the runner-up to their midpoint, at L2 distance gap/√2 and L∞ distance gap/2. Also
/// its query budget, its bounds, the label-only output defense (the same result: only labels are used) and its refusals.
/// </summary>
public class HopSkipJumpTests
{
    private const int Side = 4, Features = Side * Side;

    /// <summary>x [N, 1, 4, 4] → Flatten → y [N, 16]: an ONNX model whose 16 logits are its inputs.</summary>
    private static byte[] Identity16() => OnnxTestModels.Model(
        [new OnnxTestModels.Value("x", OnnxTestModels.Float, "N", 1, Side, Side)],
        [new OnnxTestModels.Value("y", OnnxTestModels.Float, "N", Features)],
        [new OnnxTestModels.Node("Flatten", ["x"], ["y"])]);

    private static (Tensor X, Tensor Labels, Tensor Gap) IdentityCase(int count, long seed)
    {
        using var generator = new Generator((ulong)seed);
        var x = rand(count, 1, Side, Side, generator: generator);
        var top = x.view(count, Features).topk(2, 1);
        return (x, top.indexes.select(1, 0), top.values.select(1, 0) - top.values.select(1, 1));
    }

    [Theory]
    [InlineData(Norm.L2)]
    [InlineData(Norm.LInf)]
    public void ApproachesTheExactMinimumOnAnOnnxBlackBox(Norm norm)
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxClassifier(Identity16());
        var (x, labels, gap) = IdentityCase(8, seed: 3);
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
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 3);
        var (x, labels) = TinyImageModel.Case(model, 3, seed: seed);
        var budget = budgetByte % 200 + 1;
        var attack = new HopSkipJump(new HopSkipJumpOptions { Norm = lInf ? Norm.LInf : Norm.L2, MaxQueries = budget, Seed = seed });
        // One sample per run, so that the model's query counter is that sample's: at most the budget, plus the library's success check.
        for (var i = 0; i < 3; i++)
        {
            var before = model.QueryCount;
            using var result = attack.Run(model, x.narrow(0, i, 1), AttackGoal.Untargeted(labels.narrow(0, i, 1)));
            if (model.QueryCount - before > budget + 1) return false;
            if (!model.Bounds.Contains(result.Adversarials)) return false;
        }
        return true;
    }

    [Fact]
    public void ALabelOnlyOutputChangesNothing()
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 2);
        var (x, labels) = TinyImageModel.Case(model, 6, seed: 5);
        var options = new HopSkipJumpOptions { MaxQueries = 300, Seed = 4 };
        using var plain = new HopSkipJump(options).Run(model, x, AttackGoal.Untargeted(labels));
        var labelOnly = new OutputDefendedClassifier(model, new LabelOnlyOutput());
        using var defended = new HopSkipJump(options).Run(labelOnly, x, AttackGoal.Untargeted(labels));
        Assert.True(plain.Success.any().item<bool>());
        Assert.True(plain.Adversarials.eq(defended.Adversarials).all().item<bool>(), "the label-only output changed the attack");
        Assert.Equal(plain.Metrics.Queries, defended.Metrics.Queries);
    }

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
