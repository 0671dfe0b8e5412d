using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Audit;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Reports;
using NeuralShield.Training;

namespace NeuralShield.Tests.Audit;

/// <summary>A black-box view of a classifier: a decorator that is only an <see cref="IClassifier"/>.</summary>
internal sealed class BlackBoxView(IClassifier inner) : ClassifierDecorator(inner);

/// <summary>
/// <see cref="Auditor"/> runs every entry against every target, with the metrics a direct run of the attack gives,
/// the goal the attack supports, and a skip (with the reason) where the audit lacks the access the attack needs.
/// </summary>
public sealed class AuditorTests : IDisposable
{
    private const double Epsilon = 0.1;
    private readonly LabeledData train = TestModels.Blobs(60, 4, seed: 31);
    private readonly LabeledData test = TestModels.Blobs(24, 4, seed: 32);
    private readonly TorchClassifier model;

    public AuditorTests() => model = TestModels.TrainedMlp(train, seed: 31);

    public void Dispose()
    {
        model.Dispose();
        train.Dispose();
        test.Dispose();
    }

    private static IReadOnlyList<AuditEntry> Entries() =>
    [
        AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = Epsilon }), "eps=0.1"),
        AuditEntry.Evasion(new Jsma(new JsmaOptions { Gamma = 1.0 }), "gamma=1"),
        AuditEntry.Fooling(new EvolutionaryFooling(new EvolutionaryFoolingOptions { PopulationSize = 8, Generations = 3, Seed = 1 }), "(1+8), 3 generations"),
    ];

    private AuditReport Audit(params AuditTarget[] targets) =>
        new Auditor(new AuditOptions { Entries = Entries(), Seed = 3, Dataset = "blobs" }).Run(targets, train, test);

    [Fact]
    public void TheReportHasOneRecordPerTargetAndEntry()
    {
        var report = Audit(new AuditTarget("white", model), new AuditTarget("black", new BlackBoxView(model)));
        Assert.Equal(6, report.Results.Count);
        Assert.Equal(["white", "white", "white", "black", "black", "black"], report.Results.Select(r => r.Model));
        Assert.Equal(["FGSM", "JSMA-F", "Evolutionary fooling"], report.Results.Take(3).Select(r => r.Attack.Name));
        Assert.Equal(["FGSM", "JSMA-F", "Evolutionary fooling"], report.Results.Skip(3).Select(r => r.Attack.Name));
        Assert.Equal(["eps=0.1", "gamma=1", "(1+8), 3 generations"], report.Results.Take(3).Select(r => r.Setting));
        Assert.Equal("blobs", report.Dataset);
        Assert.Equal(3, report.Seed);

        Assert.Equal(2, report.Models.Count);
        Assert.Equal(ModelAccess.WhiteBox, report.Models[0].Access);
        Assert.Equal(ModelAccess.Probabilities, report.Models[1].Access);
        var accuracy = ModelAccuracy.Of(model, test);
        Assert.Equal(accuracy, report.Models[0].CleanAccuracy);
        Assert.Equal(accuracy, report.Models[1].CleanAccuracy);
        Assert.Equal(test.Count, report.Models[0].TestSamples);
    }

    [Fact]
    public void TheFgsmRecordEqualsADirectRun()
    {
        var report = Audit(new AuditTarget("white", model));
        var record = report.Results[0];
        Assert.Null(record.Skipped);
        Assert.Equal("untargeted", record.Goal);
        Assert.Null(record.Fooling);
        var audited = Assert.NotNull(record.Evasion);

        using var direct = new Fgsm(new FgsmOptions { Epsilon = Epsilon }).Run(model, test.Features, AttackGoal.Untargeted(test.Labels));
        Assert.Equal(direct.Metrics.SampleCount, audited.SampleCount);
        Assert.Equal(direct.Metrics.SuccessRate, audited.SuccessRate);
        Assert.Equal(direct.Metrics.MeanL2, audited.MeanL2);
        Assert.Equal(direct.Metrics.MeanLInf, audited.MeanLInf);
        Assert.Equal(direct.Metrics.MeanL0, audited.MeanL0);
        Assert.Equal(direct.Metrics.Queries, audited.Queries);
        Assert.Equal(test.Count, audited.SampleCount);
        Assert.True(audited.SuccessRate > 0); // the comparison is between runs that did something
        Assert.Equal(audited.SuccessRate, record.Headline);
    }

    [Fact]
    public void ATargetedOnlyAttackRunsTowardTheNextClass()
    {
        var report = Audit(new AuditTarget("white", model));
        var record = report.Results[1];
        Assert.Null(record.Skipped);
        Assert.Equal("targeted (y+1 mod C)", record.Goal);
        var audited = Assert.NotNull(record.Evasion);

        using var targets = (test.Labels + 1).remainder(3);
        using var direct = new Jsma(new JsmaOptions { Gamma = 1.0 }).Run(model, test.Features, AttackGoal.Targeted(targets));
        Assert.Equal(direct.Metrics.SuccessRate, audited.SuccessRate);
        Assert.Equal(direct.Metrics.MeanL2, audited.MeanL2);
    }

    [Fact]
    public void WhiteBoxEntriesAreSkippedOnABlackBoxTargetWhileBlackBoxEntriesRun()
    {
        var report = Audit(new AuditTarget("black", new BlackBoxView(model)));
        var fgsm = report.Results[0];
        var jsma = report.Results[1];
        var fooling = report.Results[2];
        foreach (var skipped in new[] { fgsm, jsma })
        {
            Assert.NotNull(skipped.Skipped);
            Assert.Contains("white-box", skipped.Skipped);
            Assert.Null(skipped.Evasion);
            Assert.Null(skipped.Fooling);
            Assert.True(double.IsNaN(skipped.Headline));
        }
        Assert.Null(fooling.Skipped);
        var metrics = Assert.NotNull(fooling.Fooling);
        Assert.Equal(3, metrics.Count); // one synthesised input per class
        Assert.Equal("every class once", fooling.Goal);
        Assert.Equal(ModelAccess.Probabilities, fooling.Attack.Access);
    }

    [Fact]
    public void AClassCountMismatchNamesTheTargets()
    {
        using var four = new TorchClassifier(ModelZoo.Mlp(4, [8], 4, Activation.ReLU, 1), 4, ownsModule: true);
        var auditor = new Auditor(new AuditOptions { Entries = Entries() });
        var e = Assert.Throws<ArgumentException>(() => auditor.Run([new AuditTarget("ok", model), new AuditTarget("four", four)], train, test));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("four", e.Message);
    }

    [Fact]
    public void TestSamplesLimitsTheAttackedSamples()
    {
        var report = new Auditor(new AuditOptions { Entries = Entries().Take(1).ToArray(), TestSamples = 10 })
            .Run([new AuditTarget("white", model)], train, test);
        var audited = Assert.NotNull(Assert.Single(report.Results).Evasion);
        Assert.Equal(10, audited.SampleCount);
        using var first = test.Take(10);
        using var direct = new Fgsm(new FgsmOptions { Epsilon = Epsilon }).Run(model, first.Features, AttackGoal.Untargeted(first.Labels));
        Assert.Equal(direct.Metrics.SuccessRate, audited.SuccessRate);
        Assert.Equal(direct.Metrics.MeanL2, audited.MeanL2);
    }

    [Fact]
    public void TheStandardCatalogHasUniqueNamedSettingsAndCitesPapers()
    {
        var entries = AttackCatalog.Standard(seed: 5);
        Assert.NotEmpty(entries);
        var keys = entries.Select(e => (e.Attack.Descriptor.Name, e.Setting)).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        foreach (var entry in entries)
        {
            var descriptor = entry.Attack.Descriptor;
            Assert.NotNull(descriptor);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Name));
            var composition = entry.Attack.GetType().IsGenericType &&
                (entry.Attack.GetType().GetGenericTypeDefinition() == typeof(Cascade<>) || entry.Attack.GetType().GetGenericTypeDefinition() == typeof(Repeat<>));
            if (!composition) Assert.True(descriptor.Paper is not null, $"{descriptor.Name} has no paper");
        }
        Assert.Contains(entries, e => e.Attack is Cascade<IDifferentiableClassifier>);
        Assert.Equal(keys, AttackCatalog.Standard(seed: 6).Select(e => (e.Attack.Descriptor.Name, e.Setting)));
    }
}
