using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Evaluation;
using NeuralShield.Tests.Attacks.Evasion;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Evaluation;

/// <summary>The Square evaluation against the attack run by hand on the correctly classified samples.</summary>
public class QueryAttackEvaluationTests
{
    [Fact]
    public void TheMedianIsNumpys()
    {
        Assert.Equal(2, QueryAttackEvaluation.Median([3, 1, 2]));
        Assert.Equal(2.5, QueryAttackEvaluation.Median([4, 1, 3, 2]));
    }

    [Fact]
    public void SuccessAndQueriesAreThoseOfTheCorrectSamples()
    {
        using var scope = NewDisposeScope();
        using var model = TinyImageModel.Model(seed: 9);
        var (x, predicted) = TinyImageModel.Case(model, 30, seed: 2);
        var labels = where(arange(30).remainder(3).eq(0), (predicted + 1) % TinyImageModel.Classes, predicted);
        var options = new SquareOptions { Epsilon = 0.1, MaxQueries = 80, Seed = 4 };
        var outcome = QueryAttackEvaluation.Evaluate(model, x, labels, new SquareAttack(options), batchSize: null);

        var correct = predicted.eq(labels).nonzero().squeeze(1);
        var (result, queries) = new SquareAttack(options).RunCounted(model, x.index_select(0, correct), AttackGoal.Untargeted(labels.index_select(0, correct)));
        using var _ = result;
        var fooled = queries.masked_select(result.Success).data<long>().ToArray().Select(v => (double)v).OrderBy(v => v).ToArray();
        Assert.Equal(20 / 30.0, outcome.CleanAccuracy, 12);
        Assert.Equal(fooled.Length / 20.0, outcome.SuccessRate, 12);
        Assert.True(fooled.Length is > 0 and < 20, $"{fooled.Length} of 20 fooled: the case should leave some robust");
        var middle = fooled.Length % 2 == 1 ? fooled[fooled.Length / 2] : (fooled[fooled.Length / 2 - 1] + fooled[fooled.Length / 2]) / 2;
        Assert.Equal(middle, outcome.MedianQueries);
        Assert.Equal(fooled.Average(), outcome.MeanQueries, 9);
        Assert.Equal(queries.sum().item<long>(), outcome.TotalQueries);
    }
}
