using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Audit;
using NeuralShield.Data;
using NeuralShield.Evaluation;
using NeuralShield.Models;
using NeuralShield.Tests.MLNet;
using NeuralShield.Training;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Data;

public class FeatureSchemaTests(AdultSampleFixture adult) : IClassFixture<AdultSampleFixture>
{
    private static FeatureSchema Schema(AdultSampleFixture adult) => adult.Schema.WithImmutable("race", "sex", "native-country", "age");

    [Fact]
    public void Adults_numeric_columns_are_whole_numbers_within_the_training_range_and_clean_rows_are_valid()
    {
        var schema = adult.Schema;
        Assert.Equal(14, schema.Columns.Count);
        var age = schema["age"];
        Assert.True(age.IsInteger);
        Assert.Equal(17, age.Minimum);
        Assert.Equal(90, age.Maximum);
        Assert.True(schema["workclass"].IsCategorical);
        for (var i = 0; i < adult.Test.Count; i++) Assert.Null(schema.Violation(adult.Test.Features, i));
        // The first test row of adult.test, read back as its record.
        var fields = schema.Decode(adult.Test.Features, 0);
        Assert.Equal(["25", "Private", "226802", "11th", "7", "Never-married", "Machine-op-inspct", "Own-child", "Black", "Male", "0", "0", "40", "United-States"], fields);
    }

    [Fact]
    public void Projection_restores_immutables_rounds_integers_clamps_bounds_and_swaps_categories()
    {
        var schema = Schema(adult);
        using var original = adult.Test.Features[..1].clone();
        using var perturbed = original.clone();
        var age = schema["age"];
        var hours = schema["hours-per-week"];
        var gain = schema["capital-gain"];
        var work = schema["workclass"];
        var sex = schema["sex"];
        perturbed[0, age.Offset] = tensor((float)((60 - age.Mean) / age.Std));                 // immutable: back to 25
        perturbed[0, hours.Offset] = tensor((float)((41.6 - hours.Mean) / hours.Std));          // rounds to 42
        perturbed[0, gain.Offset] = tensor((float)((1e6 - gain.Mean) / gain.Std));              // clamps to the training maximum
        var private_ = work.Categories!.ToList().IndexOf("Private");
        var state = work.Categories!.ToList().IndexOf("State-gov");
        perturbed[0, work.Offset + private_] = tensor(0.4f);
        perturbed[0, work.Offset + state] = tensor(0.45f);                                     // the largest entry wins
        perturbed[0, sex.Offset] = tensor(0.9f);                                               // immutable: restored
        using var projected = schema.Project(original, perturbed);
        Assert.Null(schema.Violation(projected, 0));
        var fields = schema.Decode(projected, 0);
        string Field(string name) => fields[schema.Columns.ToList().FindIndex(c => c.Name == name)];
        Assert.Equal("25", Field("age"));
        Assert.Equal("42", Field("hours-per-week"));
        Assert.Equal(gain.Maximum.ToString(System.Globalization.CultureInfo.InvariantCulture), Field("capital-gain"));
        Assert.Equal("State-gov", Field("workclass"));
        Assert.Equal("Male", Field("sex"));
        Assert.Equal(["workclass", "capital-gain", "hours-per-week"], schema.ChangedColumns(original, projected)[0]);
    }

    [Fact]
    public void Every_adversarial_row_of_a_whole_adult_batch_decodes_to_a_valid_record()
    {
        var schema = Schema(adult);
        var model = adult.Model;
        var attack = new Pgd(new PgdOptions { Epsilon = 0.5, StepSize = 0.125, Steps = 10, Seed = 1 });
        var goal = AttackGoal.Untargeted(adult.Test.Labels);
        using var result = attack.Run(model, adult.Test.Features, goal, new RunOptions { BatchSize = 500 });
        // Unconstrained, the attack leaves fractional categories: not records.
        Assert.Contains(Enumerable.Range(0, adult.Test.Count), i => schema.Violation(result.Adversarials, i) is not null);
        using var valid = schema.Project(adult.Test.Features, result.Adversarials);
        for (var i = 0; i < adult.Test.Count; i++) Assert.Null(schema.Violation(valid, i));
        // Immutable columns are those of the clean rows, bit for bit.
        foreach (var c in schema.Columns.Where(c => c.IsImmutable))
        {
            using var before = adult.Test.Features[.., c.Offset..(c.Offset + c.Width)];
            using var after = valid[.., c.Offset..(c.Offset + c.Width)];
            Assert.True(TensorAssert.Same(before, after), c.Name);
        }

        var outcome = ConstrainedEvasion.Evaluate(model, schema, adult.Test.Features, result.Adversarials, goal, examples: 4, batchSize: 500);
        // Recomputed by hand: the valid rows' predictions against the labels.
        using var predicted = model.Predict(valid);
        using var wrong = predicted.ne(adult.Test.Labels).to_type(ScalarType.Float64).mean();
        Assert.Equal(wrong.item<double>(), outcome.ConstrainedSuccessRate, 1e-12);
        var changed = schema.ChangedColumns(adult.Test.Features, valid);
        Assert.Equal(changed.Average(c => c.Count), outcome.MeanChangedFields, 1e-12);
        Assert.All(outcome.Examples, e => Assert.All(e.Changes, f => Assert.False(schema[f.Column].IsImmutable)));
        Assert.True(result.Metrics.SuccessRate >= outcome.ConstrainedSuccessRate - 0.2, $"{result.Metrics.SuccessRate} vs {outcome.ConstrainedSuccessRate}");
    }

    [Fact]
    public void An_audit_with_a_schema_reports_constrained_success_beside_the_unconstrained_one()
    {
        var model = adult.Model;
        using var test = adult.Test.Take(300);
        var entry = AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = 0.3 }), "eps=0.3").Named("fgsm-0.3");
        var report = new Auditor(new AuditOptions { Entries = [entry], Schema = Schema(adult) })
            .Run([new AuditTarget("mlp", model)], adult.Train, test);
        var record = Assert.Single(report.Results);
        Assert.NotNull(record.Evasion);
        Assert.NotNull(record.Tabular);
        Assert.Null(record.Examples);
        Assert.NotEmpty(record.Tabular.Examples);
        Assert.Contains("\"tabular\"", report.ToJson());
    }

    [Fact]
    public void Naming_a_column_that_does_not_exist_is_refused_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => adult.Schema.WithImmutable("age", "salary"));
        Assert.Equal("names", e.ParamName);
        Assert.Contains("'salary'", e.Message);
        using var dir = new TempDir();
        var file = dir.WriteText("schema.json", """{"immutable": ["race"], "bounds": {"wage": [0, 100]}}""");
        var bad = Assert.Throws<InvalidDataException>(() => adult.Schema.Refine(file));
        Assert.Contains("'wage'", bad.Message);
        Assert.Contains(file, bad.Message);
        var good = dir.WriteText("good.json", """{"immutable": ["race", "sex"], "continuous": ["fnlwgt"], "bounds": {"age": [18, 70]}}""");
        var refined = adult.Schema.Refine(good);
        Assert.True(refined["race"].IsImmutable && refined["sex"].IsImmutable && !refined["age"].IsImmutable);
        Assert.False(refined["fnlwgt"].IsInteger);
        Assert.Equal((18, 70), (refined["age"].Minimum, refined["age"].Maximum));
        Assert.Throws<InvalidDataException>(() => adult.Schema.Refine(dir.WriteText("broken.json", "{ immutable: ")));
    }
}
