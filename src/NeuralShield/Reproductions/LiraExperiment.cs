using NeuralShield.Attacks.Inference;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// Carlini et al. 2022: LiRA against an overfit target (a 2×512 ReLU MLP on 1,000 Adult rows, or on 500 MNIST images)
/// trained on a random half of a pool the attacker holds; k shadows on random halves of the same pool (each record in
/// half of them). LiRA online and offline, the shadow-model attack and the threshold attacks on the same shadows and
/// the same target, all scored on the whole pool (half members, half non-members).
/// </summary>
internal sealed class LiraExperiment() : MembershipReproduction(
    "lira",
    "Carlini et al. 2022 LiRA (online/offline) vs the shadow-model and threshold attacks, TPR at low FPR (Adult or MNIST)",
    shadowModels: 16)
{
    protected override void Run(ReproductionContext context, ReproductionReport report, int shadowCount, CancellationToken cancellationToken)
    {
        var adult = MembershipSupport.IsAdult(context.DataDirectory);
        var training = new TrainingOptions { Epochs = context.Epochs ?? 60, BatchSize = 64, LearningRate = 1e-3, Seed = context.Seed };
        LabeledData pool;
        ModelRecipe recipe;
        int members;
        var owned = new List<IDisposable>();
        try
        {
            if (adult)
            {
                var data = AdultDataset.Load(context.DataDirectory);
                owned.Add(data);
                var bounds = MembershipSupport.AdultBounds(data);
                members = 1000;
                using var shuffled = data.Train.Shuffle(context.Seed);
                pool = shuffled.Slice(0, 2 * members);
                var features = (int)pool.FeatureCount;
                recipe = new ModelRecipe { Architecture = s => ModelZoo.Mlp(features, [512, 512], 2, Activation.ReLU, s), Training = training, Seed = context.Seed, Bounds = bounds, Device = context.Device };
                report.Setting["data"] = $"UCI Adult, {context.DataDirectory}";
                report.Setting["target"] = $"MLP {features}-512-512-2 ReLU, Adam lr 1e-3, {training.Epochs} epochs, batch {training.BatchSize}, on {members} rows";
            }
            else
            {
                members = 500;
                using var all = ExperimentData.MnistTrain(context);
                using var shuffled = all.Shuffle(context.Seed);
                pool = shuffled.Slice(0, 2 * members);
                recipe = new ModelRecipe { Architecture = s => ModelZoo.Mlp(784, [512, 512], 10, Activation.ReLU, s), Training = training, Seed = context.Seed, Device = context.Device };
                report.Setting["data"] = $"MNIST, {context.DataDirectory}";
                report.Setting["target"] = $"MLP 784-512-512-10 ReLU, Adam lr 1e-3, {training.Epochs} epochs, batch {training.BatchSize}, on {members} images";
            }
            owned.Add(pool);
            // The target trains on a seeded random half of the pool; the candidates are the whole pool in its order.
            var order = Enumerable.Range(0, pool.Count).ToArray();
            new Random(unchecked((int)context.Seed) ^ 0x5bd1e995).Shuffle(order);
            var isMember = new bool[pool.Count];
            foreach (var i in order.Take(members)) isMember[i] = true;
            using var memberData = pool.Subset(order.Take(members).Select(i => (long)i).ToArray());
            using var nonMemberData = pool.Subset(order.Skip(members).Select(i => (long)i).ToArray());
            using var target = MembershipSupport.TrainTarget(context, "target", recipe, memberData, null, cancellationToken);
            var train = ModelAccuracy.Of(target.Classifier, memberData);
            var test = ModelAccuracy.Of(target.Classifier, nonMemberData);
            report.Metrics["train_accuracy"] = train;
            report.Metrics["test_accuracy"] = test;
            report.Metrics["generalisation_gap"] = train - test;

            var shadowOptions = new ShadowTrainingOptions { Recipe = recipe, Count = shadowCount, Sampling = ShadowSampling.RandomHalves, Seed = context.Seed };
            using var shadows = ShadowModelSet.Train(pool, shadowOptions, RunOptions.Reporting(MembershipSupport.Log(context)), cancellationToken);
            report.Metrics["shadow_models"] = shadows.Count;
            report.Metrics["seconds_shadows"] = shadows.TrainingTime.TotalSeconds;

            var lira = new Lira(new LiraOptions { Shadows = shadowOptions });
            using var fitted = (FittedLira)lira.Fit(target.Classifier, shadows, cancellationToken: cancellationToken);
            var online = fitted.Infer(target.Classifier, pool, LiraVariant.Online, cancellationToken).Evaluate(isMember);
            var offline = fitted.Infer(target.Classifier, pool, LiraVariant.Offline, cancellationToken).Evaluate(isMember);
            MembershipSupport.Put(report, "", online, full: false);
            MembershipSupport.Put(report, "offline.", offline, full: false);
            var sample = $"the {pool.Count}-record pool: {members} members + {pool.Count - members} non-members, {shadows.Count} shadows";
            report.Membership("target", lira, $"online, {sample}", online, "AUC 0.668, TPR 1.69% at 0.1% FPR (TF Privacy's CIFAR-10 demo, for scale)");
            report.Membership("target", new Lira(new LiraOptions { Shadows = shadowOptions, Variant = LiraVariant.Offline }), $"offline, {sample}", offline);
            context.Log.WriteLine($"  LiRA online: AUC {online.Auc:F4}, TPR@1% {online.TprAt1PctFpr:F4}, TPR@0.1% {online.TprAt01PctFpr:F4}; offline: AUC {offline.Auc:F4}, TPR@0.1% {offline.TprAt01PctFpr:F4}");

            var attackOptions = new ShadowModelAttackOptions { Shadows = shadowOptions, Seed = context.Seed };
            var shadowAttack = new ShadowModelAttack(attackOptions);
            using (var shokri = shadowAttack.Fit(target.Classifier, shadows, cancellationToken: cancellationToken))
            {
                var m = shokri.Infer(target.Classifier, pool, cancellationToken).Evaluate(isMember);
                report.Membership("target", shadowAttack, sample, m);
                report.Metrics["shadow_auc"] = m.Auc;
                report.Metrics["shadow_tpr_at_1pct_fpr"] = m.TprAt1PctFpr;
                report.Metrics["shadow_tpr_at_0_1pct_fpr"] = m.TprAt01PctFpr;
                context.Log.WriteLine($"  shadow attack: AUC {m.Auc:F4}, TPR@1% {m.TprAt1PctFpr:F4}, TPR@0.1% {m.TprAt01PctFpr:F4}");
            }
            foreach (var (score, key) in new[] { (ThresholdScore.Loss, "loss"), (ThresholdScore.Confidence, "confidence"), (ThresholdScore.Entropy, "entropy"), (ThresholdScore.ModifiedEntropy, "modified_entropy") })
            {
                var thresholdAttack = new ThresholdAttack(new ThresholdAttackOptions { Score = score });
                using var threshold = thresholdAttack.Fit(target.Classifier, shadows, cancellationToken: cancellationToken);
                var m = threshold.Infer(target.Classifier, pool, cancellationToken).Evaluate(isMember);
                report.Membership("target", thresholdAttack, $"{key} score, threshold on the shadows; {sample}", m);
                MembershipSupport.Put(report, $"{key}_threshold_", m, full: false);
                context.Log.WriteLine($"  {key} threshold: AUC {m.Auc:F4}, TPR@1% {m.TprAt1PctFpr:F4}, TPR@0.1% {m.TprAt01PctFpr:F4}");
            }
            report.Setting["shadows"] = $"{shadows.Count} shadows like the target on random halves of the {pool.Count}-record pool (each record in {shadows.Count / 2})";
            report.Setting["variance"] = shadows.Count < 64 ? "global (fewer than 64 shadows)" : "per example";
            report.Setting["evaluation"] = $"the whole pool: {members} members + {pool.Count - members} non-members";
            report.Setting["seed"] = context.Seed;
            report.Paper["auc"] = 0.668;
            report.Paper["tpr_at_0_1pct_fpr"] = 0.0169;
            report.Paper["source"] = "Carlini et al., IEEE S&P 2022, arXiv 2112.03570; numbers of TF Privacy's LiRA demo (CIFAR-10, 16 shadows), for scale only";
        }
        finally
        {
            foreach (var d in owned) d.Dispose();
        }
    }
}
