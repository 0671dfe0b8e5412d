using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Inference;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Audit;
using NeuralShield.Data;
using NeuralShield.Defenses.Output;
using NeuralShield.Models;
using NeuralShield.Reports;
using NeuralShield.Training;

namespace NeuralShield.Tests.Audit;

/// <summary>
/// The audit entries of the families added for the full audit: poisoning retrains the target's recipe on poisoned data
/// (skipped without it), membership runs through an output defense and keeps its ROC, evasion keeps example images,
/// and <see cref="Auditor.TrainAndRun"/> reports each step.
/// </summary>
public sealed class FamilyEntryTests : IDisposable
{
    private readonly LabeledData train = TestModels.Blobs(90, 4, seed: 41);
    private readonly LabeledData attacker = TestModels.Blobs(60, 4, seed: 42);
    private readonly LabeledData test = TestModels.Blobs(40, 4, seed: 43);

    public void Dispose()
    {
        train.Dispose();
        attacker.Dispose();
        test.Dispose();
    }

    private static ModelRecipe Recipe() => new()
    {
        Architecture = s => ModelZoo.Mlp(4, [16], 3, Activation.ReLU, s),
        Training = new TrainingOptions { Epochs = 30, BatchSize = 32, LearningRate = 1e-2, Seed = 5 },
        Seed = 5,
    };

    [Fact]
    public void TrainAndRunRetrainsOnPoisonedDataAndReportsEveryStep()
    {
        var trigger = AttackCatalog.Trigger([4]);
        var steps = new List<AuditStep>();
        var entries = new[]
        {
            AuditEntry.Poisoning(new LabelFlipping(new LabelFlipOptions { Fraction = 0.5, Seed = 1 }), "half flipped").Named("flip-half"),
            AuditEntry.Poisoning(new BackdoorPoisoning(trigger, new BackdoorOptions { TargetClass = 0, Fraction = 0.3, Seed = 1 }), "30%", trigger.Stamp, 0).Named("bd"),
            AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = 0.2 }), "eps=0.2").Named("fgsm-0.2"),
        };
        var report = new Auditor(new AuditOptions { Entries = entries, Steps = new Sync<AuditStep>(steps.Add) })
            .TrainAndRun("mlp", Recipe(), train, attacker, test);

        var flip = report.Results[0];
        Assert.Equal("flip-half", flip.Key);
        Assert.Equal(45, flip.Poisoning!.Value.PoisonedCount);
        Assert.InRange(flip.Poisoning.Value.CleanAccuracy!.Value, 0, 1);
        Assert.Null(flip.Poisoning.Value.AttackSuccessRate);
        var backdoor = report.Results[1].Poisoning!.Value;
        Assert.Equal(27, backdoor.PoisonedCount);
        Assert.InRange(backdoor.AttackSuccessRate!.Value, 0, 1);
        var fgsm = report.Results[2];
        Assert.Equal(AuditEntry.ExampleCount, fgsm.Examples!.Count);
        Assert.All(fgsm.Examples, x => Assert.Equal((2, 2, 4), (x.Height, x.Width, x.CleanPixels!.Count)));
        Assert.Equal(1 - fgsm.Evasion!.Value.SuccessRate, fgsm.RobustAccuracy!.Value, 12);

        Assert.Equal(6, steps.Count);
        Assert.Equal([null, "flip-half", null, "bd", null, "fgsm-0.2"], steps.Select(s => s.Record?.Key));
        Assert.All(steps, s => Assert.Equal(3, s.Total));
    }

    [Fact]
    public void PoisoningIsSkippedWithoutTheRecipeAndTrainingData()
    {
        using var model = TestModels.TrainedMlp(train, seed: 3);
        var entry = AuditEntry.Poisoning(new LabelFlipping(), "10%");
        var record = entry.Run(new AuditTarget("m", model) { TrainingData = train }, new AuditData(attacker, test, 0, 64), default);
        Assert.Contains("training data and recipe", record.Skipped);
        Assert.Null(record.Poisoning);
        Assert.Equal("label-flip", record.Key);
    }

    [Fact]
    public void MembershipThroughAnOutputDefenseNamesItAndKeepsTheRoc()
    {
        using var model = TestModels.TrainedMlp(train, seed: 3);
        var target = new AuditTarget("m", model) { TrainingData = train };
        var data = new AuditData(attacker, test, 0, 64);
        var plain = AuditEntry.Membership(new ThresholdAttack(), "loss", 30).Run(target, data, default);
        var defended = AuditEntry.Membership(new ThresholdAttack(), "loss", 30, new TopKOutput(1)).Run(target, data, default);
        Assert.Null(plain.Defense);
        Assert.Equal(new TopKOutput(1).Descriptor.Name, defended.Defense);
        foreach (var r in new[] { plain, defended })
        {
            Assert.NotEmpty(r.Roc!);
            Assert.True(r.Roc!.Zip(r.Roc!.Skip(1)).All(p => p.Second.FalsePositiveRate >= p.First.FalsePositiveRate));
            Assert.Equal(30, r.Membership!.Value.Members);
        }
    }

    [Fact]
    public void AnAttackWhoseSettingsDoNotFitTheDataIsSkippedWithItsReason()
    {
        // JSMA's default gamma = 0.145 allows no pair of the 4 features of these samples.
        using var model = TestModels.TrainedMlp(train, seed: 3);
        var record = AuditEntry.Evasion(new Jsma(), "gamma=0.145").Run(new AuditTarget("m", model), new AuditData(attacker, test, 0, 64), default);
        Assert.StartsWith("cannot run on these data: ", record.Skipped);
        Assert.Contains("Gamma", record.Skipped);
        Assert.Null(record.Evasion);
    }

    private sealed class Sync<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
