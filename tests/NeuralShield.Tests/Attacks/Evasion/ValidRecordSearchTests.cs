using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Evaluation;
using NeuralShield.Models;
using NeuralShield.Tests.MLNet;

namespace NeuralShield.Tests.Attacks.Evasion;

public class ValidRecordSearchTests(AdultSampleFixture adult) : IClassFixture<AdultSampleFixture>
{
    [Fact]
    public void Every_record_it_returns_is_valid_changes_mutable_fields_only_and_within_the_budget()
    {
        var schema = adult.Schema.WithImmutable("age", "race", "sex", "native-country");
        var model = adult.Model;
        using var test = adult.Test.Take(300);
        var search = new ValidRecordSearch(schema, new ValidRecordSearchOptions { MaxChangedFields = 2 });
        var goal = AttackGoal.Untargeted(test.Labels);
        using var result = search.Run(model, test.Features, goal, new RunOptions { BatchSize = 300 });
        var changed = schema.ChangedColumns(test.Features, result.Adversarials);
        for (var i = 0; i < test.Count; i++)
        {
            Assert.Null(schema.Violation(result.Adversarials, i));
            Assert.True(changed[i].Count <= 2, string.Join(", ", changed[i]));
            Assert.All(changed[i], c => Assert.False(schema[c].IsImmutable));
        }
        // The library's success check is the model's answer on the returned records: recomputed here.
        using var predicted = model.Predict(result.Adversarials);
        using var wrong = predicted.ne(test.Labels).to_type(TorchSharp.torch.ScalarType.Float64).mean();
        Assert.Equal(wrong.item<double>(), result.Metrics.SuccessRate, 1e-12);

        // Searching valid records directly beats projecting the box attack's examples at a comparable size.
        using var pgd = new Pgd(new PgdOptions { Epsilon = 0.3, StepSize = 0.075, Steps = 20, Seed = 1 }).Run(model, test.Features, goal);
        var projected = ConstrainedEvasion.Evaluate(model, schema, test.Features, pgd.Adversarials, goal);
        Assert.True(result.Metrics.SuccessRate > projected.ConstrainedSuccessRate,
            $"search {result.Metrics.SuccessRate:P1} vs projected PGD {projected.ConstrainedSuccessRate:P1}");
    }

    [Fact]
    public void Inputs_that_are_not_rows_of_the_schema_and_bad_options_are_refused()
    {
        var search = new ValidRecordSearch(adult.Schema);
        using var wrong = TorchSharp.torch.zeros(2, 5);
        using var labels = TorchSharp.torch.zeros(2, TorchSharp.torch.ScalarType.Int64);
        Assert.ThrowsAny<ArgumentException>(() => search.Run(adult.Model, wrong, AttackGoal.Untargeted(labels)));
        Assert.Equal("NumericSteps", Assert.Throws<ArgumentException>(() => new ValidRecordSearch(adult.Schema, new ValidRecordSearchOptions { NumericSteps = [0] })).ParamName);
        Assert.Equal("MaxChangedFields", Assert.Throws<ArgumentOutOfRangeException>(() => new ValidRecordSearch(adult.Schema, new ValidRecordSearchOptions { MaxChangedFields = 0 })).ParamName);
    }
}
