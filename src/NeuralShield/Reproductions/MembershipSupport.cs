using NeuralShield.Attacks.Inference;
using NeuralShield.Evaluation;
using NeuralShield.Defenses;
using NeuralShield.Defenses.Output;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// A training defense the membership reproduction evaluates beside the output defenses, under the keys
/// <c>defended.&lt;Key&gt;.*</c>: any class of this assembly that implements it (with a parameterless constructor) is
/// found by reflection. The experiment trains the defended target and, since the attacker knows how the target was
/// trained, the shadow models with the recipe and step it returns.
/// </summary>
internal interface IMembershipTrainingDefense
{
    /// <summary>The key under <c>defended.</c> (e.g. "dpsgd").</summary>
    string Key { get; }

    /// <summary>One line: the defense and its setting.</summary>
    string Description { get; }

    /// <summary>The recipe and training step of the defended model for an undefended recipe that trains on <paramref name="trainCount"/> records.</summary>
    (ModelRecipe Recipe, ITrainingStep? Step) Configure(ModelRecipe undefended, int trainCount, ReproductionContext context);
}

/// <summary>Data, targets and the common evaluation of the membership reproductions.</summary>
internal static class MembershipSupport
{
    /// <summary>The training defenses found in this assembly (<see cref="IMembershipTrainingDefense"/>).</summary>
    public static IReadOnlyList<IMembershipTrainingDefense> TrainingDefenses { get; } = typeof(MembershipSupport).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IMembershipTrainingDefense).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IMembershipTrainingDefense)Activator.CreateInstance(t)!)
        .OrderBy(d => d.Key, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The output defenses of the table: key and defense.</summary>
    public static IReadOnlyList<(string Key, IOutputDefense Defense)> OutputDefenses { get; } =
    [
        ("temperature", new OutputTemperature(5)),
        ("top1", new TopKOutput(1)),
        ("top3", new TopKOutput(3)),
        ("rounding2", new RoundingOutput(2)),
        ("label_only", new LabelOnlyOutput()),
    ];

    /// <summary>Whether <paramref name="directory"/> holds the Adult files (else MNIST is expected).</summary>
    public static bool IsAdult(string directory) =>
        new[] { "adult.data", "adult.data.gz" }.Any(f => File.Exists(Path.Combine(directory, f)));

    /// <summary>A box holding every encoded Adult feature (standardised numbers and one-hot groups), with a unit of margin.</summary>
    public static InputBounds AdultBounds(AdultDataset adult) => InputBounds.Covering(adult.Train.Features, adult.Test.Features);

    /// <summary>
    /// The overfit Adult target's recipe (Shokri et al.'s setting): MLP features-512-512-2 ReLU, Adam lr 1e-3, batch 64;
    /// the membership reproduction trains it 60 epochs, <c>neuralshield shadows</c> as many as asked.
    /// </summary>
    public static ModelRecipe AdultOverfitRecipe(AdultDataset adult, int epochs, long seed, Device? device = null) => new()
    {
        Architecture = ZooArchitecture.Mlp((int)adult.Train.FeatureCount, [512, 512], 2).Create,
        Training = new TrainingOptions { Epochs = epochs, BatchSize = 64, LearningRate = 1e-3, Seed = seed },
        Seed = seed,
        Bounds = AdultBounds(adult),
        Device = device ?? CPU,
    };

    /// <summary>Rows [start, start + count) of <paramref name="data"/>.</summary>
    public static LabeledData Rows(LabeledData data, int start, int count) => data.Slice(start, count);

    /// <summary>Writes the headline keys of one attack's metrics under <paramref name="prefix"/>.</summary>
    public static void Put(ReproductionReport report, string prefix, MembershipMetrics m, bool full)
    {
        report.Metrics[prefix + "auc"] = m.Auc;
        report.Metrics[prefix + "tpr_at_1pct_fpr"] = m.TprAt1PctFpr;
        report.Metrics[prefix + "tpr_at_0_1pct_fpr"] = m.TprAt01PctFpr;
        if (!full) return;
        report.Metrics[prefix + "precision"] = m.Precision;
        report.Metrics[prefix + "recall"] = m.Recall;
        report.Metrics[prefix + "accuracy"] = m.Accuracy;
        report.Metrics[prefix + "advantage"] = m.Advantage;
    }

    /// <summary>
    /// Evaluates the shadow-model attack, the four threshold attacks (thresholds chosen on the shadows) and the gap
    /// attack on the target, with the shadows seen as the target is, and writes them under <paramref name="prefix"/> and as
    /// records of <paramref name="model"/> (answering through <paramref name="defense"/>, the shadows too, when given).
    /// </summary>
    public static void EvaluateAll(ReproductionReport report, string prefix, IClassifier target, LabeledData members, LabeledData nonMembers,
        ShadowModelSet shadows, ShadowModelAttackOptions attackOptions, ReproductionContext context, CancellationToken cancellationToken,
        string model, IOutputDefense? defense = null)
    {
        var defenseName = defense?.Descriptor.Name;
        bool? adaptive = defense is null ? null : true;
        var sample = $"{members.Count} members + {nonMembers.Count} non-members, {shadows.Count} shadows";
        var watch = Stopwatch.StartNew();
        using var set = MembershipCandidates.Of(members, nonMembers);
        var (candidates, isMember) = (set.Records, set.IsMember);
        var train = ModelAccuracy.Of(target, members);
        var test = ModelAccuracy.Of(target, nonMembers);
        report.Metrics[prefix + "train_accuracy"] = train;
        report.Metrics[prefix + "test_accuracy"] = test;
        report.Metrics[prefix + "generalisation_gap"] = train - test;

        var shokri = new ShadowModelAttack(attackOptions);
        using (var fitted = shokri.Fit(target, shadows, cancellationToken: cancellationToken))
        {
            var m = fitted.Infer(target, candidates, cancellationToken).Evaluate(isMember);
            Put(report, prefix, m, full: true);
            report.Membership(model, shokri, sample, m, prefix == "generalising." ? "Shokri et al.: precision 0.517 (MNIST), 0.503 (Adult) on generalising models" : null, defenseName, adaptive);
            context.Log.WriteLine($"  {prefix}shadow attack: AUC {m.Auc:F4}, precision {m.Precision:F4}, recall {m.Recall:F4}, TPR@1% {m.TprAt1PctFpr:F4}, TPR@0.1% {m.TprAt01PctFpr:F4} (gap {train - test:F4})");
        }
        foreach (var (score, key) in new[] { (ThresholdScore.Loss, "loss"), (ThresholdScore.Confidence, "confidence"), (ThresholdScore.Entropy, "entropy"), (ThresholdScore.ModifiedEntropy, "modified_entropy") })
        {
            var threshold = new ThresholdAttack(new ThresholdAttackOptions { Score = score });
            using var fitted = threshold.Fit(target, shadows, cancellationToken: cancellationToken);
            var m = fitted.Infer(target, candidates, cancellationToken).Evaluate(isMember);
            Put(report, $"{prefix}{key}_threshold_", m, full: score == ThresholdScore.Loss);
            report.Membership(model, threshold, $"{key} score, threshold on the shadows; {sample}", m, null, defenseName, adaptive);
            context.Log.WriteLine($"  {prefix}{key} threshold: AUC {m.Auc:F4}, TPR@1% {m.TprAt1PctFpr:F4}, TPR@0.1% {m.TprAt01PctFpr:F4}");
        }
        {
            var gap = new GapAttack();
            var m = gap.Score(target, candidates, cancellationToken).Evaluate(isMember);
            report.Metrics[prefix + "gap_attack_auc"] = m.Auc;
            report.Membership(model, gap, $"label only; {members.Count} members + {nonMembers.Count} non-members", m, "AUC 0.5 + generalisation gap / 2", defenseName);
            report.Metrics[prefix + "gap_attack_expected_auc"] = 0.5 + (train - test) / 2;
            context.Log.WriteLine($"  {prefix}gap attack: AUC {m.Auc:F4} (0.5 + gap/2 = {0.5 + (train - test) / 2:F4})");
        }
        report.Metrics[prefix + "seconds_attacks"] = watch.Elapsed.TotalSeconds;
    }

    /// <summary>Trains a target with <paramref name="recipe"/> on <paramref name="train"/>, logging its time.</summary>
    public static TrainedModel TrainTarget(ReproductionContext context, string what, ModelRecipe recipe, LabeledData train, ITrainingStep? step, CancellationToken cancellationToken)
    {
        var model = recipe.Train(train, step, cancellationToken: cancellationToken);
        context.Log.WriteLine($"  {what}: trained on {train.Count} records in {model.Training.Elapsed.TotalSeconds:F1} s");
        return model;
    }

    /// <summary>A progress sink that writes to the experiment's log (thread-safe).</summary>
    public static IProgress<string> Log(ReproductionContext context)
    {
        var gate = new object();
        return new SynchronousProgress<string>(line =>
        {
            lock (gate) context.Log.WriteLine("  " + line);
        });
    }
}
