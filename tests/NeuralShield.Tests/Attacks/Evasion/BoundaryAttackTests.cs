using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Onnx;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>The Boundary attack against the closed form of <see cref="IdentityOnnxModel"/>, its query budget, the label-only output and its refusals.</summary>
public class BoundaryAttackTests
{
    [Fact]
    public void WalksTowardTheExactMinimumOnAnOnnxBlackBox()
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxClassifier(IdentityOnnxModel.Bytes());
        var (x, labels, gap) = IdentityOnnxModel.Case(8, seed: 3);
        var optimum = gap / Math.Sqrt(2);
        using var shortRun = new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = 200, Seed = 1 }).Run(model, x, AttackGoal.Untargeted(labels));
        using var result = new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = 3000, Seed = 1 }).Run(model, x, AttackGoal.Untargeted(labels));
        Assert.True(result.Success.all().item<bool>());
        var ratio = result.L2 / optimum;
        Assert.True(ratio.min().item<float>() >= 0.999f, $"below the exact minimum: {ratio.min().item<float>()}");
        Assert.True(ratio.median().item<float>() <= 1.25f, $"median more than 25% above the exact minimum: {ratio.median().item<float>()}");
        // The walk only ever gets closer: more queries, a smaller distance.
        Assert.True(result.L2.le(shortRun.L2 + 1e-6f).all().item<bool>());
        Assert.True(result.L2.median().item<float>() < shortRun.L2.median().item<float>());
    }

    [Property(MaxTest = 6)]
    public bool NeverExceedsItsBudgetAndStaysInTheBounds(int seed, byte budgetByte)
    {
        var budget = budgetByte % 150 + 1;
        return DecisionAttackChecks.WithinBudgetAndBounds(new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = budget, Seed = seed }), budget, seed);
    }

    [Fact]
    public void ALabelOnlyOutputChangesNothing() => DecisionAttackChecks.LabelOnlyOutputChangesNothing(new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = 300, Seed = 4 }));

    [Fact]
    public void RefusesBadSettingsAndInputs()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("MaxQueries", Assert.Throws<ArgumentOutOfRangeException>(() => new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = 0 })).ParamName);
        Assert.Equal("SphericalStep", Assert.Throws<ArgumentOutOfRangeException>(() => new BoundaryAttack(new BoundaryAttackOptions { SphericalStep = 0 })).ParamName);
        Assert.Equal("SourceStep", Assert.Throws<ArgumentOutOfRangeException>(() => new BoundaryAttack(new BoundaryAttackOptions { SourceStep = -1 })).ParamName);
        Assert.Equal("StepAdaptation", Assert.Throws<ArgumentOutOfRangeException>(() => new BoundaryAttack(new BoundaryAttackOptions { StepAdaptation = 1 })).ParamName);
        using var model = TinyImageModel.Model(seed: 1);
        var (x, labels) = TinyImageModel.Case(model, 3, seed: 1);
        var attack = new BoundaryAttack(new BoundaryAttackOptions { MaxQueries = 5 });
        Assert.Equal("goal", Assert.Throws<ArgumentException>(() => attack.Run(model, x, AttackGoal.Targeted(labels))).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => attack.Run(model, x, AttackGoal.Untargeted(full(3, 9, dtype: ScalarType.Int64))));
    }
}
