using NeuralShield.Attacks.Inference;
using NeuralShield.Audit;
using NeuralShield.Data;
using NeuralShield.Defenses;
using NeuralShield.Defenses.Output;
using NeuralShield.Evaluation;
using NeuralShield.Tests.Attacks.Inference;
using NeuralShield.Tests.Training;
using NeuralShield.Training;

namespace NeuralShield.Tests.Evaluation;

/// <summary>
/// The membership evaluation written once: on an overfit target, an attacker whose shadows answer
/// through the target's output defense (adaptive) beats the one whose shadows ignore it, and the audit's defended rows
/// are the adaptive attacker's, computed on one shadow set shared by every row.
/// </summary>
public sealed class MembershipEvaluationTests
{
    private const int Members = 100;


    private static ModelRecipe DigitsRecipe(long seed) => new()
    {
        Architecture = s => NeuralShield.Models.ModelZoo.Mlp(64, [128, 64], 10, NeuralShield.Models.Activation.ReLU, s),
        Training = new TrainingOptions { Epochs = 60, BatchSize = 64, LearningRate = 3e-3, Seed = seed },
        Seed = seed,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TheAttackerWhoKnowsTheDefenseBeatsTheOneWhoIgnoresIt(long seed)
    {
        // The default audit's setting: an MLP that overfits 600 of scikit-learn's digits; the attacker holds 597 others.
        using var digits = Datasets.Digits();
        using var shuffled = digits.Shuffle(seed);
        using var members = shuffled.Slice(0, 600);
        using var nonMembers = shuffled.Slice(600, 600);
        using var attacker = shuffled.Slice(1200, shuffled.Count - 1200);
        using var target = DigitsRecipe(seed).Train(members);
        var gap = ModelAccuracy.Of(target.Classifier, members) - ModelAccuracy.Of(target.Classifier, nonMembers);
        using var candidates = MembershipCandidates.First(members, nonMembers, 300);
        var shadows = new ShadowTrainingOptions { Recipe = DigitsRecipe(seed), Count = 8, Sampling = ShadowSampling.RandomHalves, Seed = seed };
        using var evaluation = MembershipEvaluation.Prepare(target.Classifier, candidates, attacker, shadows, candidatesInPool: true);
        var attacks = new IMembershipInferenceAttack[]
        {
            new Lira(new LiraOptions { Shadows = shadows }),
            new ShadowModelAttack(new ShadowModelAttackOptions { Shadows = shadows, Seed = seed }),
        };
        Assert.True(gap > 0.02, $"the target should overfit (generalisation gap {gap:F3})");
        foreach (var attack in attacks)
        {
            // Rounding to one digit changes what every record reveals: the shadows must be seen through it.
            var rounding = new RoundingOutput(1);
            var adaptive = evaluation.Evaluate(attack, rounding);
            var ignoring = evaluation.Evaluate(attack, rounding, adaptive: false);
            Assert.True(adaptive.Adaptive);
            Assert.False(ignoring.Adaptive);
            Assert.True(adaptive.Metrics.Auc > 0.54 && adaptive.Metrics.Auc > ignoring.Metrics.Auc + 0.02,
                $"{attack.Descriptor.Name} through rounding: adaptive AUC {adaptive.Metrics.Auc:F3}, ignoring the defense {ignoring.Metrics.Auc:F3}");

            // Top-1 reveals the true class's probability unchanged wherever the target is right, so the two attackers see
            // nearly the same thing (measured: within 0.02 on seeds 1 and 2); the adaptive one stays the row of record.
            var top1 = new TopKOutput(1);
            var adaptiveTop1 = evaluation.Evaluate(attack, top1).Metrics.Auc;
            var ignoringTop1 = evaluation.Evaluate(attack, top1, adaptive: false).Metrics.Auc;
            Assert.True(adaptiveTop1 > 0.5 && Math.Abs(adaptiveTop1 - ignoringTop1) < 0.06,
                $"{attack.Descriptor.Name} through top-1: adaptive AUC {adaptiveTop1:F3}, ignoring the defense {ignoringTop1:F3}");
        }
    }

    [Fact]
    public void FitOnTrainedKnowledgeSeesTheShadowsThroughTheTargetsDefense()
    {
        using var members = Memorisation.Data(Members, 30);
        using var nonMembers = Memorisation.Data(Members, 31);
        using var attacker = Memorisation.Data(200, 32);
        using var target = Memorisation.Recipe(3).Train(members);
        using var candidates = MembershipCandidates.Of(members, nonMembers);
        var disjoint = new ShadowTrainingOptions { Recipe = Memorisation.Recipe(3), Count = 4, Sampling = ShadowSampling.Disjoint, Seed = 3 };
        var attack = new ShadowModelAttack(new ShadowModelAttackOptions { Shadows = disjoint, Seed = 3 });
        var rounding = new RoundingOutput(1);
        Assert.Same(rounding, OutputDefenses.Find(rounding.Apply(target.Classifier)));
        Assert.Null(OutputDefenses.Find(target.Classifier));

        // Fit(defended target, attacker's data) trains the attack's own shadows and views them through the defense: the
        // same scores as the shared-shadow evaluation's adaptive row on a set trained alike.
        var defended = rounding.Apply(target.Classifier);
        using var fitted = attack.Fit(defended, attacker);
        var direct = fitted.Infer(defended, candidates.Records);
        using var evaluation = MembershipEvaluation.Prepare(target.Classifier, candidates, attacker, disjoint);
        var row = evaluation.Evaluate(attack, rounding);
        Assert.Equal(row.Scores.Scores, direct.Scores);
        Assert.NotEqual(evaluation.Evaluate(attack, rounding, adaptive: false).Scores.Scores, direct.Scores);
    }

    [Fact]
    public void TheAuditsDefendedRowsAreTheAdaptiveAttackersOnSharedShadows()
    {
        using var members = Memorisation.Data(Members, 40);
        using var test = Memorisation.Data(Members, 41);
        using var attacker = Memorisation.Data(200, 42);
        var recipe = Memorisation.Recipe(4);
        using var target = recipe.Train(members);
        var counting = new CountingTrainingService();
        var catalog = new AuditCatalogOptions
        {
            SampleShape = members.SampleShape, ShadowRecipe = recipe, Seed = 4, ShadowModels = 8, MembershipSamples = Members,
            TrainingService = counting,
        };
        var entries = AttackCatalog.Select(AttackCatalog.Full(catalog), "membership");
        var report = new Auditor(new AuditOptions { Seed = 4, Entries = entries }).Run(
            [new AuditTarget("memoriser", target.Classifier) { TrainingData = members }], attacker, test);
        Assert.Equal(9, report.Results.Count);
        // One shadow set for the nine rows: eight shadows trained once.
        Assert.Equal(8, counting.Jobs);
        foreach (var record in report.Results)
        {
            Assert.Null(record.Error);
            Assert.Null(record.Skipped);
            Assert.Equal(record.Defense is null ? null : true, record.AdaptiveAttacker);
            if (record.Defense is not null) Assert.Contains("adaptive attacker", record.Setting);
        }

        // Every row equals an independent evaluation with one set of shadows trained alike and viewed through each defense.
        using var candidates = MembershipCandidates.First(members, test, Members);
        var liraShadows = new ShadowTrainingOptions { Recipe = recipe, Count = 8, Sampling = ShadowSampling.RandomHalves, Seed = 4 };
        using var evaluation = MembershipEvaluation.Prepare(target.Classifier, candidates, attacker, liraShadows, candidatesInPool: true);
        var attacks = new (string Key, IMembershipInferenceAttack Attack)[]
        {
            ("membership-lira", new Lira(new LiraOptions { Shadows = liraShadows })),
            ("membership-shadow", new ShadowModelAttack(new ShadowModelAttackOptions { Shadows = liraShadows, Seed = 4 })),
            ("membership-loss", new ThresholdAttack(new ThresholdAttackOptions { Score = ThresholdScore.Loss })),
        };
        foreach (var (prefix, attack) in attacks)
        {
            foreach (var (suffix, defense) in new (string, IOutputDefense?)[] { ("", null), ("-top1", new TopKOutput(1)), ("-round1", new RoundingOutput(1)) })
            {
                var record = report.Results.Single(r => r.Key == prefix + suffix);
                Assert.Equal(evaluation.Evaluate(attack, defense).Metrics.Auc, record.Membership!.Value.Auc, 12);
            }
        }
        Assert.Contains("\"adaptive_attacker\": true", report.ToJson());
    }
}
