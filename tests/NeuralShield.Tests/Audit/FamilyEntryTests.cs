using NeuralShield.Attacks;
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

        // The run retrained both poisoned sets as one stacked ensemble; each entry run alone (no shared cache) retrains
        // its own model: the same numbers up to floating-point summation order (a test sample or two).
        var recipe = Recipe().Validated();
        using var trained = recipe.Train(train);
        var target = new AuditTarget("mlp", trained.Classifier) { TrainingData = train, Recipe = recipe };
        var data = new AuditData(attacker, test, 0, 512);
        Assert.Null(StackedTrainingService.Refusal([new TrainingJob("a", recipe, train), new TrainingJob("b", recipe, train)]));
        for (var i = 0; i < 2; i++)
        {
            var alone = entries[i].Run(target, data, default).Poisoning!.Value;
            var batched = report.Results[i].Poisoning!.Value;
            Assert.Equal(alone.PoisonedCount, batched.PoisonedCount);
            Assert.Equal(alone.CleanAccuracy!.Value, batched.CleanAccuracy!.Value, 2.5 / test.Count);
            if (i == 1) Assert.Equal(alone.AttackSuccessRate!.Value, batched.AttackSuccessRate!.Value, 0.1);
        }
    }

    [Fact]
    public void APoisoningEntryThatFailsInABatchIsAnErrorRowAndTheOthersStillRun()
    {
        var trigger = AttackCatalog.Trigger([4]);
        var entries = new[]
        {
            AuditEntry.Poisoning(new LabelFlipping(new LabelFlipOptions { Fraction = 0.2, Seed = 1 }), "20% flipped").Named("flip"),
            // Target class 7 does not exist in three classes: the attack throws when it poisons.
            AuditEntry.Poisoning(new BackdoorPoisoning(trigger, new BackdoorOptions { TargetClass = 7, Fraction = 0.3, Seed = 1 }), "bad", trigger.Stamp, 0).Named("bad"),
            AuditEntry.Poisoning(new LabelFlipping(new LabelFlipOptions { Fraction = 0.1, Seed = 2 }), "10% flipped").Named("flip-small"),
        };
        var report = new Auditor(new AuditOptions { Entries = entries }).TrainAndRun("mlp", Recipe(), train, attacker, test);
        Assert.Null(report.Results[0].Error);
        Assert.Contains("TargetClass", report.Results[1].Error);
        Assert.Null(report.Results[2].Error);
        Assert.Equal(9, report.Results[2].Poisoning!.Value.PoisonedCount);
        Assert.NotNull(report.Results[2].Poisoning!.Value.CleanAccuracy);
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
            // The class slices partition the candidates: members and non-members of the slices add up (counted by hand
            // over the classes that hold both), and no slice is larger than its class.
            var slices = r.MembershipByClass!;
            Assert.NotEmpty(slices);
            Assert.True(slices.Values.Sum(m => m.Members) <= 30 && slices.Values.Sum(m => m.NonMembers) <= 30);
            Assert.All(slices.Values, m => Assert.True(m.Members > 0 && m.NonMembers > 0 && m.Auc is >= 0 and <= 1));
        }
    }

    [Fact]
    public void AnAttackThatThrowsGivesAnErrorRowAndARequirementSkipsBeforeRunning()
    {
        // JSMA's default gamma = 0.145 allows no pair of the 4 features of these samples: the attack refuses to run.
        using var model = TestModels.TrainedMlp(train, seed: 3);
        var data = new AuditData(attacker, test, 0, 64);
        var target = new AuditTarget("m", model);
        var failed = AuditEntry.Evasion(new Jsma(), "gamma=0.145").Named("jsma").Run(target, data, default);
        Assert.Null(failed.Skipped);
        Assert.Null(failed.Evasion);
        Assert.StartsWith("ArgumentOutOfRangeException: ", failed.Error);
        Assert.Contains("Gamma", failed.Error);
        Assert.True(double.IsNaN(failed.Headline));

        // The catalog's JSMA entry declares what it needs, so the same data skip it before it runs (no query is sent).
        var catalogJsma = Assert.Single(AttackCatalog.Standard(0), e => e.Attack is Jsma);
        var before = model.QueryCount;
        var skipped = catalogJsma.Run(target, data, default);
        Assert.Null(skipped.Error);
        Assert.Contains("allows no pair iteration on 4 features", skipped.Skipped);
        Assert.Equal(before, model.QueryCount);

        // Any gate over the run fails on the error row, even one whose metric the row does not give.
        var report = new AuditReport(DateTimeOffset.UnixEpoch, "d", "cpu", 0, [new ModelRecord("m", model is IDifferentiableClassifier ? ModelAccess.WhiteBox : ModelAccess.Probabilities, 1, test.Count)], [failed]);
        var gate = AuditGate.Parse("clean_accuracy=0.5").Check(report);
        Assert.False(gate.Passed);
        Assert.Contains("ended with an error (m/jsma)", gate.Detail);
        Assert.Contains("\"error\"", report.ToJson());
    }

    [Fact]
    public void AnUnexpectedExceptionInsideAnAuditIsAnErrorRowAndCancellationStopsTheAudit()
    {
        using var model = TestModels.TrainedMlp(train, seed: 3);
        var entries = new[] { AuditEntry.Evasion(new Throwing(), "throws").Named("throwing"), AuditEntry.Evasion(new Fgsm(), "eps=0.1").Named("fgsm") };
        var report = new Auditor(new AuditOptions { Entries = entries }).Run([new AuditTarget("m", model)], attacker, test);
        Assert.Equal("InvalidOperationException: boom", report.Results[0].Error);
        Assert.Null(report.Results[0].Skipped);
        Assert.NotNull(report.Results[1].Evasion); // the audit goes on after an error row
        Assert.False(AuditGate.Parse("clean_accuracy@throwing=0").Check(report).Passed);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => AuditEntry.Evasion(new Throwing(cancel: true), "cancels").Run(new AuditTarget("m", model), new AuditData(attacker, test, 0, 64), cts.Token));
    }

    private sealed class Throwing(bool cancel = false) : IEvasionAttack<IClassifier>
    {
        public AttackDescriptor Descriptor => new("Throwing", AttackFamily.Evasion, ModelAccess.Probabilities, null, GoalSupport.Untargeted);

        public EvasionResult Run(IClassifier model, TorchSharp.torch.Tensor inputs, AttackGoal goal, RunOptions? options, CancellationToken cancellationToken = default)
        {
            if (cancel) cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("boom");
        }
    }

    private sealed class Sync<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
