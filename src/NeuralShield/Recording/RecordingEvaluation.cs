using NeuralShield.Attacks.Inference;
using NeuralShield.Defenses.Training;
using NeuralShield.Privacy;

namespace NeuralShield.Recording;

/// <summary>
/// Survey §4.7, what an on-line model keeps of its users: a deployed classifier keeps learning (<see cref="OnlineLearner"/>)
/// from a stream of labelled user queries into which canaries — secrets drawn from a <see cref="CanarySpace"/> — are
/// inserted; the Secret Sharer's <see cref="Exposure"/> of each canary is measured as the updates go on, against control
/// secrets never inserted (the baseline), with plain SGD updates and with DP-SGD updates (<see cref="DpSgdStep"/>).
/// The membership view: a loss-threshold attack (Yeom et al.) with the updated model as target, the stream's queries
/// as members and held-out images as non-members.
/// </summary>
public static class RecordingEvaluation
{
    private const int ControlsPerCanary = 5;

    /// <summary>
    /// Pretrains an MLP (784-256-10, ReLU) on <paramref name="pretrain"/>, then streams <paramref name="stream"/> with the
    /// canaries to two copies of it, one updated by SGD and one by DP-SGD.
    /// </summary>
    /// <exception cref="ArgumentException">Data that are not [N, 1, 28, 28], or more canaries than classes.</exception>
    public static RecordingResult Run(LabeledData pretrain, LabeledData stream, LabeledData heldOut, RecordingOptions? options = null,
        RunOptions? run = null, CancellationToken cancellationToken = default)
    {
        var progress = run?.Messages;
        ArgumentNullException.ThrowIfNull(pretrain);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(heldOut);
        foreach (var (data, name) in new[] { (pretrain, nameof(pretrain)), (stream, nameof(stream)), (heldOut, nameof(heldOut)) })
            if (!data.SampleShape.SequenceEqual([1L, 28, 28])) throw new ArgumentException("expected MNIST-shaped data [N, 1, 28, 28]", name);
        options = (options ?? new RecordingOptions()).Validated();
        if (options.Canaries > stream.ClassCount)
            throw new ArgumentException($"expected at most one canary per class ({stream.ClassCount}); got {options.Canaries}", nameof(options));

        var space = new CanarySpace(options.Bits);
        var random = new Random(unchecked((int)options.Seed) ^ 0x5ec7e7);
        var canaries = Enumerable.Range(0, options.Canaries).Select(_ => random.Next(space.Size)).ToArray();
        var controls = canaries.Select(c => Enumerable.Range(0, ControlsPerCanary).Select(_ => Other(random, space.Size, c)).ToArray()).ToArray();

        var recipe = new ModelRecipe
        {
            Architecture = seed =>
            {
                random_manual_seed(seed);
                return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, stream.ClassCount));
            },
            Training = new TrainingOptions { Epochs = Math.Max(1, options.PretrainEpochs), BatchSize = 64, LearningRate = 1e-3, Seed = options.Seed },
            Seed = options.Seed,
        };
        using var deployed = recipe.Train(pretrain, cancellationToken: cancellationToken);
        var pretrainAccuracy = ModelAccuracy.Of(deployed.Classifier, heldOut);
        progress?.Report($"deployed model: test accuracy {pretrainAccuracy:P2} after {options.PretrainEpochs} epochs on {pretrain.Count} images");

        var members = Math.Min(stream.Count, heldOut.Count);
        using var memberData = stream.Take(members);
        using var nonMemberData = heldOut.Take(members);
        using var candidates = space.All();

        RecordingRun Learn(int repetitions, bool dp)
        {
            // The stream: every query once, each canary `repetitions` times, in a seeded random order (the same for SGD and DP-SGD).
            var entries = Enumerable.Range(0, stream.Count).Concat(Enumerable.Range(0, options.Canaries * repetitions).Select(k => -1 - k % options.Canaries)).ToArray();
            new Random(unchecked((int)options.Seed) + repetitions).Shuffle(entries);
            var module = recipe.Create();
            module.load_state_dict(deployed.Classifier.Module.state_dict());
            ITrainingStep? step = dp ? new DpSgdStep(options.ClipNorm, options.NoiseMultiplier, options.BatchSize, options.Seed) : null;
            using var learner = new OnlineLearner(module, stream.ClassCount, [1, 28, 28],
                new OnlineLearnerOptions { LearningRate = options.LearningRate, BatchSize = options.BatchSize, Seed = options.Seed }, step, ownsModule: true);
            ExposurePoint At() => Measure(learner.Classifier, learner.Updates, candidates, canaries, controls);
            var curve = new List<ExposurePoint> { At() };
            var features = stream.Features.cpu();
            var labels = stream.Labels.cpu();
            for (var start = 0; start < entries.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var chunk = entries.Skip(start).Take(options.BatchSize).ToArray();
                var inputs = stack(chunk.Select(e => e >= 0 ? features[e] : tensor(space.Render(canaries[-1 - e]), [1, 28, 28])).ToArray());
                var y = tensor(chunk.Select(e => e >= 0 ? labels[e].item<long>() : -1 - e).ToArray());
                var before = learner.Updates;
                learner.Submit("users", inputs, y, cancellationToken);
                if (learner.Updates / options.MeasureEvery > before / options.MeasureEvery) curve.Add(At());
            }
            learner.Flush();
            if (curve[^1].Updates != learner.Updates) curve.Add(At());
            var membership = Membership(learner.Classifier, memberData, nonMemberData, cancellationToken);
            var accuracy = ModelAccuracy.Of(learner.Classifier, heldOut);
            var (perQuery, perCanary) = dp ? (Epsilon(options, 1), Epsilon(options, repetitions)) : (double.PositiveInfinity, double.PositiveInfinity);
            var last = curve[^1];
            progress?.Report($"{repetitions} repetitions, {(dp ? "DP-SGD" : "SGD")}: {learner.Updates} updates, canary exposure {last.CanaryMean:F2} bits (min {last.CanaryMin:F2}), " +
                             $"baseline {last.BaselineMean:F2} ± {last.BaselineStd:F2} (max {last.BaselineMax:F2}); membership AUC {membership.Auc:F3}, " +
                             $"TPR@0.1% {membership.TprAt01PctFpr:F4}; accuracy {accuracy:P2}" + (dp ? $"; eps per query {perQuery:F2}, per canary {perCanary:F2}" : ""));
            return new RecordingRun(repetitions, dp, curve, membership, accuracy, perQuery, perCanary);
        }

        // Off-line: the canaries in the training set of a model trained from scratch, without and with DP-SGD.
        RecordingRun Train(bool dp)
        {
            using var canaryImages = stack(Enumerable.Range(0, options.Canaries * options.OfflineRepetitions)
                .Select(k => tensor(space.Render(canaries[k % options.Canaries]), [1, 28, 28])).ToArray());
            using var canaryLabels = tensor(Enumerable.Range(0, options.Canaries * options.OfflineRepetitions).Select(k => (long)(k % options.Canaries)).ToArray());
            using var canaryData = new LabeledData(canaryImages, canaryLabels, stream.ClassCount);
            using var trainSet = pretrain.Concat(canaryData);
            var offline = recipe.Copy();
            offline.Training = new TrainingOptions { Epochs = options.OfflineEpochs, BatchSize = 128, LearningRate = 1e-3, Seed = options.Seed };
            TorchClassifier classifier;
            IDisposable owner;
            double epsilon = double.PositiveInfinity;
            if (dp)
            {
                offline.Training = new TrainingOptions { Epochs = options.OfflineEpochs, BatchSize = 128, LearningRate = 0.1, Optimizer = OptimizerKind.Sgd, Momentum = 0, Seed = options.Seed };
                var result = new DifferentiallyPrivateTraining(new DifferentiallyPrivateTrainingOptions
                {
                    Recipe = offline, ClipNorm = options.ClipNorm, TargetEpsilon = options.OfflineEpsilon, Delta = options.Delta, NoiseSeed = options.Seed,
                }).Fit(trainSet, cancellationToken: cancellationToken);
                (classifier, owner, epsilon) = (result.Classifier, result, result.Privacy.Epsilon);
            }
            else
            {
                var trained = offline.Train(trainSet, cancellationToken: cancellationToken);
                (classifier, owner) = (trained.Classifier, trained);
            }
            using (owner)
            {
                var point = Measure(classifier, 0, candidates, canaries, controls);
                using var trainMembers = pretrain.Take(members);
                var membership = Membership(classifier, trainMembers, nonMemberData, cancellationToken);
                var accuracy = ModelAccuracy.Of(classifier, heldOut);
                progress?.Report($"off-line {(dp ? "DP-SGD" : "training")}: canary exposure {point.CanaryMean:F2} bits (min {point.CanaryMin:F2}), " +
                                 $"baseline {point.BaselineMean:F2} ± {point.BaselineStd:F2} (max {point.BaselineMax:F2}); membership AUC {membership.Auc:F3}, " +
                                 $"TPR@0.1% {membership.TprAt01PctFpr:F4}; accuracy {accuracy:P2}" + (dp ? $"; eps {epsilon:F2}" : ""));
                return new RecordingRun(options.OfflineRepetitions, dp, [point], membership, accuracy, epsilon, dp ? options.OfflineRepetitions * epsilon : double.PositiveInfinity);
            }
        }

        var before = Membership(deployed.Classifier, memberData, nonMemberData, cancellationToken);
        progress?.Report($"before the stream: membership AUC {before.Auc:F3}, TPR@0.1% {before.TprAt01PctFpr:F4} (the stream's queries are not yet learned: the reference)");
        var online = options.Repetitions.SelectMany(r => new[] { Learn(r, false), Learn(r, true) }).ToArray();
        var offlinePlain = Train(false);
        var offlinePrivate = Train(true);
        return new RecordingResult(online, offlinePlain, offlinePrivate, stream.Count, options.Bits, pretrainAccuracy, before);
    }

    private static MembershipMetrics Membership(IClassifier target, LabeledData members, LabeledData nonMembers, CancellationToken cancellationToken)
    {
        var attack = new ThresholdAttack(new ThresholdAttackOptions { Score = ThresholdScore.Loss });
        var scores = attack.Scores(target, members, cancellationToken).Concat(attack.Scores(target, nonMembers, cancellationToken)).ToArray();
        return MembershipMetrics.Of(scores, Enumerable.Range(0, scores.Length).Select(i => i < members.Count).ToArray(), double.NaN);
    }

    private static void random_manual_seed(long seed) => torch.random.manual_seed(seed);

    private static int Other(Random random, int size, int not)
    {
        int code;
        do code = random.Next(size);
        while (code == not);
        return code;
    }

    /// <summary>ε of a record that takes part in <paramref name="occurrences"/> updates of fixed batches (no sampling), each the Gaussian mechanism with σ.</summary>
    private static double Epsilon(RecordingOptions options, int occurrences)
    {
        var accountant = new RdpAccountant();
        accountant.Step(1.0, options.NoiseMultiplier, occurrences);
        return accountant.GetPrivacySpent(options.Delta).Epsilon;
    }

    private static ExposurePoint Measure(TorchClassifier model, long updates, Tensor candidates, int[] canaries, int[][] controls)
    {
        double[][] losses;
        using (NewDisposeScope())
        {
            using var logits = model.Logits(candidates);
            var nll = nn.functional.log_softmax(logits, 1).neg().to_type(ScalarType.Float64).cpu();
            losses = Enumerable.Range(0, canaries.Length).Select(label => nll[.., label].data<double>().ToArray()).ToArray();
        }
        var canary = canaries.Select((code, label) => Exposure.Of(losses[label], code)).ToArray();
        var baseline = controls.SelectMany((codes, label) => codes.Select(code => Exposure.Of(losses[label], code))).ToArray();
        var mean = baseline.Average();
        var std = Math.Sqrt(baseline.Sum(b => (b - mean) * (b - mean)) / Math.Max(1, baseline.Length - 1));
        return new ExposurePoint(updates, canary.Average(), canary.Min(), mean, std, baseline.Max());
    }
}
