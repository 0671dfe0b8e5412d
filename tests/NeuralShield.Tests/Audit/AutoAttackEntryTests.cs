using NeuralShield.Audit;
using NeuralShield.Tests.Attacks;
using NeuralShield.Data;
using NeuralShield.Evaluation;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Audit;

/// <summary>
/// The audit's <c>autoattack-linf-ε</c> rows: each equals an independent <see cref="AutoAttackEvaluation"/> run on the same
/// model and samples (robust accuracy, per-member rows, queries), and is skipped where it cannot run.
/// </summary>
public class AutoAttackEntryTests
{
    private static TorchClassifier TenClassImages(long seed)
    {
        random.manual_seed(seed);
        var module = nn.Sequential(("conv", nn.Conv2d(1, 4, 3, padding: 1)), ("act", nn.Tanh()), ("flatten", nn.Flatten()), ("logits", nn.Linear(4 * 8 * 8, 10)));
        return new TorchClassifier(module, 10, InputBounds.Unit, inputShape: [1, 8, 8], ownsModule: true);
    }

    [Fact]
    public void ARowEqualsAnIndependentAutoAttackRun()
    {
        using var scope = NewDisposeScope();
        using var model = TenClassImages(seed: 2);
        using var generator = new Generator(11);
        var x = rand([24, 1, 8, 8], generator: generator);
        // The model's own labels, a quarter of them changed: misclassified samples count as not robust on both sides.
        var labels = model.Predict(x);
        labels.index_put_((labels.narrow(0, 0, 6) + 1).remainder(10), arange(6));
        using var test = new LabeledData(x, labels, 10);
        var entries = AttackCatalog.Full(new AuditCatalogOptions { SampleShape = [1, 8, 8], Seed = 4 });
        var entry = Assert.Single(AttackCatalog.Select(entries, "autoattack-linf-0.05"));
        var record = entry.Run(new AuditTarget("tiny", model), new AuditData(test, test, 4, 64), CancellationToken.None);
        Assert.Null(record.Error);

        var independent = AutoAttackEvaluation.Evaluate(model, x, labels, new AutoAttackOptions { Epsilon = 0.05, Seed = 4 });
        Assert.Equal(independent.RobustAccuracy, record.RobustAccuracy!.Value, 12);
        Assert.Equal(independent.Rows.Sum(r => r.Queries), record.Evasion!.Value.Queries);
        Assert.Equal(24, record.Evasion.Value.SampleCount);
        foreach (var row in independent.Rows)
            Assert.Contains($"{row.Attack} {row.RobustAccuracy.ToString("0.0%", System.Globalization.CultureInfo.InvariantCulture)}", record.Setting);
        // The standard members in their order (Square on what the white-box members left), and the ensemble is never
        // above its first member.
        Assert.Equal(["APGD-CE", "APGD-T", "FAB-T", "Square L∞"], independent.Rows.Select(r => r.Attack));
        Assert.True(independent.RobustAccuracy <= independent.Rows[0].RobustAccuracy);
        Assert.True(independent.RobustAccuracy < independent.CleanAccuracy, "nothing was broken: the test does not exercise the ensemble");
    }

    [Fact]
    public void ARowIsSkippedOnABlackBoxAndOnFewerThanTenClasses()
    {
        using var scope = NewDisposeScope();
        using var model = TenClassImages(seed: 3);
        var x = rand([4, 1, 8, 8]);
        using var test = new LabeledData(x, model.Predict(x), 10);
        var entry = Assert.Single(AttackCatalog.Select(AttackCatalog.Full(new AuditCatalogOptions { SampleShape = [1, 8, 8] }), "autoattack-linf-0.1"));
        var black = entry.Run(new AuditTarget("black", new ProbabilitiesOnlyClassifier(model)), new AuditData(test, test, 0, 64), CancellationToken.None);
        Assert.Contains("white-box", black.Skipped);
        using var five = new TorchClassifier(nn.Sequential(("flatten", nn.Flatten()), ("logits", nn.Linear(64, 5))), 5, InputBounds.Unit, inputShape: [1, 8, 8], ownsModule: true);
        using var fiveTest = new LabeledData(x, five.Predict(x), 5);
        Assert.Contains("10 classes", entry.Run(new AuditTarget("five", five), new AuditData(fiveTest, fiveTest, 0, 64), CancellationToken.None).Skipped);
    }
}
