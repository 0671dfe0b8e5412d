using FsCheck.Xunit;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>The Square attack: its schedule of p against the paper's, its ball, bounds and query budget, and its refusals.</summary>
public class SquareAttackTests
{
    [Fact]
    public void PFollowsThePapersSchedule()
    {
        var square = new SquareAttack(new SquareOptions { PInit = 0.8 });
        // Halved after iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000.
        Assert.Equal(0.8, square.P(0));
        Assert.Equal(0.8, square.P(10));
        Assert.Equal(0.4, square.P(11));
        Assert.Equal(0.2, square.P(51));
        Assert.Equal(0.1, square.P(201));
        Assert.Equal(0.8 / 16, square.P(1000));
        Assert.Equal(0.8 / 32, square.P(1001));
        Assert.Equal(0.8 / 512, square.P(9000));
        // Rescaled to a budget of 1,001 queries (1,000 iterations): iteration 100 counts as 1,000.
        var rescaled = new SquareAttack(new SquareOptions { PInit = 0.8, MaxQueries = 1001, RescaleSchedule = true });
        Assert.Equal(0.8 / 16, rescaled.P(100));
        Assert.Equal(0.8 / 32, rescaled.P(101));
    }

    [Property(MaxTest = 10)]
    public bool StaysInTheBallAndTheBoundsAndTheBudget(byte epsByte, byte budgetByte, bool targeted, int seed)
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 3);
        var (x, labels) = TinyImageModel.Case(model, 10, seed: seed);
        var eps = 0.01 + epsByte / 255.0 * 0.3;
        var budget = budgetByte % 60 + 1;
        var goal = targeted ? AttackGoal.Targeted((labels + 1) % TinyImageModel.Classes) : AttackGoal.Untargeted(labels);
        var before = model.QueryCount;
        var (result, queries) = new SquareAttack(new SquareOptions { Epsilon = eps, MaxQueries = budget, Seed = seed }).RunCounted(model, x, goal);
        using var _ = result;
        using var __ = queries;
        var sent = model.QueryCount - before;
        var distance = Distances.LInf(result.Adversarials, x).max().item<float>();
        return distance <= eps + 1e-6
            && model.Bounds.Contains(result.Adversarials)
            && queries.max().item<long>() <= budget
            && queries.min().item<long>() >= 1
            // Every query the attack sent is counted per sample, and the library's success check is the only other one.
            && result.Metrics.Queries == queries.sum().item<long>()
            && sent == result.Metrics.Queries + x.shape[0];
    }

    [Fact]
    public void AFooledSampleIsNotQueriedAgainAndLabelsOnlyScoresAgree()
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 5);
        var (x, labels) = TinyImageModel.Case(model, 20, seed: 4);
        var options = new SquareOptions { Epsilon = 0.2, MaxQueries = 200, Seed = 1 };
        var (white, whiteQueries) = new SquareAttack(options).RunCounted(model, x, AttackGoal.Untargeted(labels));
        using var _ = white;
        // Fooled samples stop early; the others use the whole budget.
        Assert.True(whiteQueries.index_select(0, white.Success.logical_not().nonzero().squeeze(1)).eq(200).all().item<bool>());
        Assert.True(whiteQueries.index_select(0, white.Success.nonzero().squeeze(1)).lt(200).all().item<bool>());
        Assert.InRange(white.Metrics.SuccessRate, 0.2, 1.0);
        // Through probabilities only, the margins are the same up to rounding: the same samples are fooled with (nearly) the same queries.
        var black = new ProbabilitiesOnlyClassifier(model);
        var (scores, scoreQueries) = new SquareAttack(options).RunCounted(black, x, AttackGoal.Untargeted(labels));
        using var __ = scores;
        var same = scores.Success.eq(white.Success).to_type(ScalarType.Float32).mean().item<float>();
        Assert.True(same >= 0.9f, $"agreement {same}");
    }

    [Fact]
    public void RefusesBadSettingsAndInputs()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("MaxQueries", Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(new SquareOptions { MaxQueries = 0 })).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(new SquareOptions { Epsilon = 0 })).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(new SquareOptions { Epsilon = -1 })).ParamName);
        Assert.Equal("PInit", Assert.Throws<ArgumentOutOfRangeException>(() => new SquareAttack(new SquareOptions { PInit = 0 })).ParamName);
        using var model = TinyImageModel.Model(seed: 1);
        var (x, labels) = TinyImageModel.Case(model, 3, seed: 1);
        var square = new SquareAttack(new SquareOptions { MaxQueries = 5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => square.Run(model, x, AttackGoal.Targeted(full(3, 9, dtype: ScalarType.Int64))));
        using var flat = new TorchClassifier(ModelZoo.Mlp(4, [3], 3, Activation.Tanh, 1), 3, InputBounds.Unit, ownsModule: true);
        var e = Assert.Throws<ArgumentException>(() => square.Run(flat, rand(2, 4), AttackGoal.Untargeted(zeros(2, dtype: ScalarType.Int64))));
        Assert.Contains("[N, C, H, W]", e.Message);
    }
}
