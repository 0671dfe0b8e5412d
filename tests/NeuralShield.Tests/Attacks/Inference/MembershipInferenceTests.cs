using NeuralShield.Attacks;
using NeuralShield.Attacks.Inference;
using NeuralShield.Audit;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Inference;

/// <summary>Random features with random labels: a model can only memorise them, so train − test accuracy is large.</summary>
internal static class Memorisation
{
    public const int Features = 12;

    public static LabeledData Data(int count, long seed)
    {
        using var g = new Generator((ulong)seed);
        var x = rand([count, Features], generator: g);
        var y = randint(0, 2, [count], generator: g);
        return new LabeledData(x, y, 2);
    }

    public static ModelRecipe Recipe(long seed) => new()
    {
        Architecture = s => ModelZoo.Mlp(Features, [64], 2, Activation.ReLU, s),
        Training = new TrainingOptions { Epochs = 60, BatchSize = 25, LearningRate = 1e-2, Seed = seed },
        Seed = seed,
    };
}

/// <summary>A classifier that answers fixed probabilities for every query (NaN to test the checks).</summary>
internal sealed class ConstantClassifier(int classes, float value) : IClassifier
{
    public int ClassCount => classes;
    public InputBounds Bounds => InputBounds.Unit;
    public Device Device => CPU;
    public long QueryCount => 0;
    public Tensor PredictProbabilities(Tensor inputs) => full([inputs.shape[0], classes], value);
}

public class MembershipInferenceTests
{
    [Fact]
    public void ThresholdScoresMatchTheirDefinitions()
    {
        double[] p = [0.7, 0.2, 0.1];
        Assert.Equal(Math.Log(0.2), MembershipStatistics.Score(ThresholdScore.Loss, p, 1), 12);
        Assert.Equal(0.7, MembershipStatistics.Score(ThresholdScore.Confidence, p, 1), 12);
        Assert.Equal(0.7 * Math.Log(0.7) + 0.2 * Math.Log(0.2) + 0.1 * Math.Log(0.1), MembershipStatistics.Score(ThresholdScore.Entropy, p, 1), 12);
        // Song & Mittal: Mentr = −(1 − p_y) log p_y − Σ_{j≠y} p_j log(1 − p_j), here y = 0.
        var mentr = -(0.3 * Math.Log(0.7)) - 0.2 * Math.Log(0.8) - 0.1 * Math.Log(0.9);
        Assert.Equal(-mentr, MembershipStatistics.Score(ThresholdScore.ModifiedEntropy, p, 0), 12);
        Assert.Equal(Math.Log(0.7 / 0.3), MembershipStatistics.ScaledConfidence(p, 0), 12);
        // 1 − p_y from the other entries: no cancellation for p_y within 1e-12 of 1.
        double[] sure = [1 - 1e-12, 1e-12];
        Assert.Equal(Math.Log((1 - 1e-12) / 1e-12), MembershipStatistics.ScaledConfidence(sure, 0), 6);
    }

    [Fact]
    public void LiraGaussiansOfASyntheticCaseByHand()
    {
        // Three shadows, two examples. Example 0: in by shadows 0 and 1 (φ = 4, 6), out by shadow 2 (φ = 1).
        // Example 1: in by shadow 2 (φ = 3), out by shadows 0 and 1 (φ = −1, 1).
        double[][] phi = [[4, -1], [6, 1], [1, 3]];
        bool[][] isIn = [[true, false], [true, false], [false, true]];
        var fits = Lira.FitGaussians(phi, isIn, variance: LiraVariance.PerExample);
        Assert.Equal(5, fits[0].MeanIn, 12);
        Assert.Equal(1, fits[0].VarianceIn, 12);        // ((4−5)² + (6−5)²) / 2
        Assert.Equal(1, fits[0].MeanOut, 12);
        Assert.Equal(0, fits[1].MeanOut, 12);
        Assert.Equal(1, fits[1].VarianceOut, 12);       // ((−1)² + 1²) / 2
        // Single values fall back to the pooled variance: in-side sums of squares 2 (ex. 0) + 0 (ex. 1) over 3 values.
        Assert.Equal(2.0 / 3, fits[1].VarianceIn, 12);
        Assert.Equal(2.0 / 3, fits[0].VarianceOut, 12);
        Assert.Equal((2, 1), (fits[0].InCount, fits[0].OutCount));
        // Online score: log N(φ; 5, 1) − log N(φ; 1, 2/3) at φ = 5.
        var expected = -0.5 * (0 + Math.Log(1)) + 0.5 * (16 / (2.0 / 3) + Math.Log(2.0 / 3));
        Assert.Equal(expected, fits[0].Online(5), 10);
        Assert.Equal((5 - 1) / Math.Sqrt(2.0 / 3), fits[0].Offline(5), 10);
        var global = Lira.FitGaussians(phi, isIn, variance: LiraVariance.Global);
        Assert.Equal(2.0 / 3, global[0].VarianceIn, 12);
        Assert.Equal(2.0 / 3, global[1].VarianceOut, 12);
        // An example no shadow trained on gets the out mean shifted by the mean in − out difference.
        bool[][] neverIn = [[true, false], [true, false], [false, false]];
        var shifted = Lira.FitGaussians(phi, neverIn);
        Assert.Equal(0, shifted[1].InCount);
        Assert.Equal(phi.Average(r => r[1]) + (5 - 1), shifted[1].MeanIn, 12);
        Assert.Equal("phi", Assert.Throws<ArgumentException>(() => Lira.FitGaussians([], [])).ParamName);
    }

    [Fact]
    public void ShadowSamplingAssignsRolesAsDocumented()
    {
        using var pool = Memorisation.Data(120, 1);
        var recipe = Memorisation.Recipe(1);
        recipe.Training.Epochs = 1;
        using (var disjoint = ShadowModelSet.Train(pool, new ShadowTrainingOptions { Recipe = recipe, Count = 3, TrainSize = 15 }))
        {
            var used = Enumerable.Range(0, 3).SelectMany(k => disjoint.Indices(k, ShadowRole.In).Concat(disjoint.Indices(k, ShadowRole.Out))).ToArray();
            Assert.Equal(90, used.Length);
            Assert.Equal(90, used.Distinct().Count());
            Assert.All(Enumerable.Range(0, 3), k => Assert.Equal(15, disjoint.Indices(k, ShadowRole.In).Count));
        }
        using var halves = ShadowModelSet.Train(pool, new ShadowTrainingOptions { Recipe = recipe, Count = 4, Sampling = ShadowSampling.RandomHalves, Seed = 2 });
        Assert.All(Enumerable.Range(0, pool.Count), i => Assert.Equal(2, Enumerable.Range(0, 4).Count(k => halves.Role(k, i) == ShadowRole.In)));
        // Each shadow trains on exactly half the pool (Carlini et al.), not on about half; with an odd pool (119 records,
        // 238 places in 4 shadows) all train on 59 and two records are in one shadow only.
        Assert.All(Enumerable.Range(0, 4), k => Assert.Equal(60, halves.Indices(k, ShadowRole.In).Count));
        using var oddPool = pool.Subset(Enumerable.Range(0, 119).Select(i => (long)i).ToArray());
        using var odd = ShadowModelSet.Train(oddPool, new ShadowTrainingOptions { Recipe = recipe, Count = 4, Sampling = ShadowSampling.RandomHalves, Seed = 3 });
        Assert.All(Enumerable.Range(0, 4), k => Assert.Equal(59, odd.Indices(k, ShadowRole.In).Count));
        var inCounts = Enumerable.Range(0, 119).Select(i => Enumerable.Range(0, 4).Count(k => odd.Role(k, i) == ShadowRole.In)).ToArray();
        Assert.Equal(117, inCounts.Count(c => c == 2));
        Assert.Equal(2, inCounts.Count(c => c == 1));
        var tooMany = new ShadowTrainingOptions { Recipe = recipe, Count = 5, TrainSize = 20 };
        Assert.Equal("pool", Assert.Throws<ArgumentException>(() => ShadowModelSet.Train(pool, tooMany)).ParamName);
        Assert.Equal("Count", Assert.Throws<ArgumentOutOfRangeException>(() => new ShadowTrainingOptions { Recipe = recipe, Count = 0 }.Validated()).ParamName);
    }

    [Fact]
    public void AttacksOnAnOverfitTargetBeatChanceAndTheGapAttackMatchesTheGap()
    {
        using var members = Memorisation.Data(100, 10);
        using var nonMembers = Memorisation.Data(100, 11);
        using var pool = Memorisation.Data(800, 12);
        var recipe = Memorisation.Recipe(3);
        using var target = recipe.Train(members);
        using var set = NeuralShield.Evaluation.MembershipCandidates.Of(members, nonMembers);
        var (candidates, isMember) = (set.Records, set.IsMember);
        var shadowOptions = new ShadowTrainingOptions { Recipe = recipe, Count = 4, TrainSize = 100, Seed = 4, MaxParallelism = 2 };
        using var shadows = ShadowModelSet.Train(pool, shadowOptions);

        var attack = new ShadowModelAttack(new ShadowModelAttackOptions { Shadows = shadowOptions, AttackTraining = new TrainingOptions { Epochs = 15, BatchSize = 64, LearningRate = 3e-3 } });
        using var fitted = attack.Fit(target.Classifier, shadows);
        var shokri = fitted.Infer(target.Classifier, candidates).Evaluate(isMember);
        Assert.True(shokri.Auc > 0.75, $"shadow attack AUC {shokri.Auc}");
        Assert.True(shokri.Precision > 0.6, $"shadow attack precision {shokri.Precision}");

        using var loss = new ThresholdAttack().Fit(target.Classifier, shadows);
        var lossMetrics = loss.Infer(target.Classifier, candidates).Evaluate(isMember);
        Assert.True(lossMetrics.Auc > 0.75 && lossMetrics.Accuracy > 0.6, $"loss threshold AUC {lossMetrics.Auc}, accuracy {lossMetrics.Accuracy}");

        var gapMetrics = new GapAttack().Score(target.Classifier, candidates).Evaluate(isMember);
        var train = ModelAccuracy.Of(target.Classifier, members);
        var test = ModelAccuracy.Of(target.Classifier, nonMembers);
        Assert.Equal(0.5 + (train - test) / 2, gapMetrics.Auc, 9);
        Assert.Equal(0.5 + (train - test) / 2, gapMetrics.Accuracy, 9);
    }

    [Fact]
    public void LiraScoresPoolRecordsAndRefusesOthers()
    {
        using var pool = Memorisation.Data(200, 20);
        var recipe = Memorisation.Recipe(5);
        using var members = pool.Slice(0, 100);
        using var target = recipe.Train(members);
        var options = new LiraOptions { Shadows = new ShadowTrainingOptions { Recipe = recipe, Count = 4, Sampling = ShadowSampling.RandomHalves, Seed = 6 } };
        using var fitted = new Lira(options).Fit(target.Classifier, pool);
        var isMember = Enumerable.Range(0, 200).Select(i => i < 100).ToArray();
        var online = fitted.Infer(target.Classifier, pool).Evaluate(isMember);
        var offline = ((FittedLira)fitted).Infer(target.Classifier, pool, LiraVariant.Offline).Evaluate(isMember);
        Assert.True(online.Auc > 0.7, $"LiRA online AUC {online.Auc}");
        Assert.True(offline.Auc > 0.7, $"LiRA offline AUC {offline.Auc}");
        using var stranger = Memorisation.Data(3, 21);
        Assert.Equal("candidates", Assert.Throws<ArgumentException>(() => fitted.Infer(target.Classifier, stranger)).ParamName);

        // Fitted on a shared shadow set, LiRA scores records outside the pool from the shadows (all of them out of
        // those): offline, (φ − mean over shadows) / σ_out with the pooled out variance (4 shadows: global variance).
        using var shadows = ShadowModelSet.Train(pool, options.Shadows);
        using var shared = (FittedLira)new Lira(options).Fit(target.Classifier, shadows);
        var scores = shared.Infer(target.Classifier, stranger, LiraVariant.Offline).Scores;
        var varianceOut = shared.Fits[0].VarianceOut;
        static double Phi(IClassifier model, LabeledData data, int i)
        {
            using var p = model.PredictProbabilities(data.Features);
            var row = p[i].to_type(ScalarType.Float64).data<double>().ToArray();
            var y = (int)data.Labels[i].item<long>();
            return Math.Log(row[y]) - Math.Log(row.Where((_, k) => k != y).Sum());
        }
        for (var i = 0; i < 3; i++)
        {
            var mean = shadows.Classifiers.Average(c => Phi(c, stranger, i));
            Assert.Equal((Phi(target.Classifier, stranger, i) - mean) / Math.Sqrt(varianceOut), scores[i], 3);
        }
        var disjoint = new ShadowTrainingOptions { Recipe = recipe, Count = 4 };
        Assert.Equal("Shadows", Assert.Throws<ArgumentException>(() => new Lira(new LiraOptions { Shadows = disjoint })).ParamName);

        // Fitted through a defended view, the fit outlives the set: once the set that owns the shadows is disposed, the
        // pool's records still score as before and records outside the pool are refused, not scored by disposed models.
        var owned = ShadowModelSet.Train(pool, options.Shadows);
        var view = owned.WithOutputDefense(new NeuralShield.Defenses.Output.OutputTemperature(2));
        using var throughView = (FittedLira)new Lira(options).Fit(target.Classifier, view);
        var before = throughView.Infer(target.Classifier, pool).Scores;
        Assert.Equal(3, throughView.Infer(target.Classifier, stranger).Scores.Count);
        owned.Dispose();
        Assert.Equal(before, throughView.Infer(target.Classifier, pool).Scores);
        Assert.Equal("candidates", Assert.Throws<ArgumentException>(() => throughView.Infer(target.Classifier, stranger)).ParamName);
        view.Dispose();
        owned.Dispose();
    }

    [Fact]
    public void BadInputIsRefusedNamingTheArgument()
    {
        using var pool = Memorisation.Data(80, 30);
        var recipe = Memorisation.Recipe(7);
        recipe.Training.Epochs = 1;
        var shadowOptions = new ShadowTrainingOptions { Recipe = recipe, Count = 2, TrainSize = 10 };
        using var shadows = ShadowModelSet.Train(pool, shadowOptions);
        var attack = new ShadowModelAttack(new ShadowModelAttackOptions { Shadows = shadowOptions, AttackTraining = new TrainingOptions { Epochs = 1 } });

        // A target whose class count differs from the shadows'.
        var threeClasses = new ConstantClassifier(3, 1f / 3);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => attack.Fit(threeClasses, shadows)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => attack.Fit(threeClasses, pool)).ParamName);
        using var fitted = attack.Fit(shadows.Classifiers[0], shadows);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => fitted.Infer(threeClasses, pool)).ParamName);
        using var threeClassData = new LabeledData(rand(4, Memorisation.Features), tensor(new long[] { 0, 1, 2, 0 }), 3);
        Assert.Equal("candidates", Assert.Throws<ArgumentException>(() => fitted.Infer(shadows.Classifiers[0], threeClassData)).ParamName);

        // A target that answers non-finite probabilities.
        var nan = new ConstantClassifier(2, float.NaN);
        var e = Assert.Throws<ArgumentException>(() => fitted.Infer(nan, pool));
        Assert.Equal("target", e.ParamName);
        Assert.Contains("non-finite", e.Message);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => new GapAttack().Score(nan, pool)).ParamName);

        // An empty shadow set, and candidates outside the target's bounds.
        Assert.Equal("Count", Assert.Throws<ArgumentOutOfRangeException>(() => new ShadowModelAttack(new ShadowModelAttackOptions { Shadows = new ShadowTrainingOptions { Recipe = recipe, Count = 0 } })).ParamName);
        using var outside = new LabeledData(full(2, Memorisation.Features, 5f), tensor(new long[] { 0, 1 }), 2);
        Assert.Equal("candidates", Assert.Throws<ArgumentException>(() => fitted.Infer(shadows.Classifiers[0], outside)).ParamName);

        // Attacker data of one class: the attack model of the other class has no records.
        using var oneClass = new LabeledData(rand(40, Memorisation.Features), zeros(40, dtype: ScalarType.Int64), 2);
        using var oneClassShadows = ShadowModelSet.Train(oneClass, shadowOptions);
        Assert.Equal("shadows", Assert.Throws<ArgumentException>(() => attack.Fit(shadows.Classifiers[0], oneClassShadows)).ParamName);

        // Scores of a candidate set with only members cannot be evaluated.
        var scores = new GapAttack().Score(shadows.Classifiers[0], pool);
        Assert.Equal("isMember", Assert.Throws<ArgumentException>(() => scores.Evaluate(Enumerable.Repeat(true, pool.Count).ToArray())).ParamName);
    }

    [Theory]
    [InlineData(OptimizerKind.Adam, ShadowSampling.Disjoint, false)]
    [InlineData(OptimizerKind.Sgd, ShadowSampling.Overlapping, false)]
    [InlineData(OptimizerKind.Adam, ShadowSampling.RandomHalves, true)]
    public void BatchedShadowsMatchSequentialTraining(OptimizerKind optimizer, ShadowSampling sampling, bool byDefault)
    {
        using var pool = Memorisation.Data(300, 50);
        var recipe = new ModelRecipe
        {
            Architecture = s => ModelZoo.Mlp(Memorisation.Features, [32, 16], 2, Activation.Tanh, s),
            Training = new TrainingOptions { Epochs = 4, BatchSize = 16, LearningRate = 1e-2, Optimizer = optimizer, WeightDecay = 1e-3, Seed = 9 },
            Seed = 9,
        };
        var options = new ShadowTrainingOptions { Recipe = recipe, Count = 3, TrainSize = 40, Sampling = sampling, Seed = 10, TrainingService = new InProcessTrainingService() };
        using var sequential = ShadowModelSet.Train(pool, options);
        // Without a service of the caller's, shadows that stack are trained stacked.
        options.TrainingService = byDefault ? null : new StackedTrainingService();
        using var batched = ShadowModelSet.Train(pool, options);
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(sequential.Indices(k, ShadowRole.In), batched.Indices(k, ShadowRole.In));
            using var a = sequential.Classifiers[k].PredictProbabilities(pool.Features);
            using var b = batched.Classifiers[k].PredictProbabilities(pool.Features);
            using var diff = (a - b).abs().max();
            Assert.True(diff.item<float>() < 1e-4f, $"shadow {k}: probabilities differ by {diff.item<float>()}");
            Assert.Equal(sequential.Models[k].Training.Epochs[^1].TrainLoss, batched.Models[k].Training.Epochs[^1].TrainLoss, 4);
        }
        // Refused before training, naming the reason: training sets of two sizes, a network that is not an MLP.
        using var first = pool.Subset(Enumerable.Range(0, 100).Select(i => (long)i).ToArray());
        using var second = pool.Subset(Enumerable.Range(100, 99).Select(i => (long)i).ToArray());
        TrainingJob[] sizes = [new("a", recipe, first), new("b", recipe, second)];
        Assert.Contains("one size", Assert.Throws<ArgumentException>(() => new StackedTrainingService().TrainAll(sizes)).Message);
        var lenet = new ShadowTrainingOptions { Recipe = new ModelRecipe { Architecture = s => ModelZoo.LeNet5(seed: s) }, Count = 2, TrainingService = new StackedTrainingService() };
        using var images = new LabeledData(rand(8, 1, 28, 28), tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }), 10);
        Assert.Contains("only MLP", Assert.Throws<ArgumentException>(() => ShadowModelSet.Train(images, lenet)).Message);
    }

    [Fact]
    public void AuditEntryEvaluatesMembersAgainstTestRecords()
    {
        using var members = Memorisation.Data(60, 40);
        using var test = Memorisation.Data(60, 41);
        using var attacker = Memorisation.Data(60, 42);
        var recipe = Memorisation.Recipe(8);
        using var target = recipe.Train(members);
        var entry = AuditEntry.Membership(new GapAttack(), "label only", samples: 50);
        var data = new AuditData(attacker, test, 0, 64);
        var record = entry.Run(new AuditTarget("memoriser", target.Classifier) { TrainingData = members }, data, default);
        Assert.Null(record.Skipped);
        Assert.NotNull(record.Membership);
        Assert.Equal(50, record.Membership!.Value.Members);
        Assert.True(record.Headline > 0.6, $"gap attack AUC {record.Headline}");
        Assert.Equal(AttackFamily.Inference, record.Attack.Family);
        var skipped = entry.Run(new AuditTarget("memoriser", target.Classifier), data, default);
        Assert.NotNull(skipped.Skipped);
        Assert.Contains("\"membership\"", new NeuralShield.Reports.AuditReport(DateTimeOffset.UnixEpoch, "d", "cpu", 0, [], [record]).ToJson());
    }
}
