using NeuralShield.Recording;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// Survey §4.7, recording: the Secret Sharer's exposure (Carlini et al., USENIX Security 2019) of canaries inserted into
/// the test-time stream of an on-line learner (a deployed MLP that keeps learning from labelled user queries), without
/// and with DP-SGD updates, against control secrets never inserted; the membership view (loss threshold) of which
/// queries the on-line model learned from. <c>--epochs</c> sets the pretraining epochs (default 3).
/// </summary>
internal sealed class RecordingExperiment() : MnistReproduction(
    "recording",
    "Carlini et al. 2019 exposure of canaries in an on-line learner's stream, without and with DP-SGD, and membership inference on the stream",
    defaultSamples: 10_000)
{
    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        var half = train.Count / 2;
        using var pretrain = train.Slice(0, half);
        using var stream = train.Slice(half, train.Count - half);
        var options = new RecordingOptions { Seed = context.Seed };
        if (context.Epochs is { } epochs) options.PretrainEpochs = epochs;
        var r = RecordingEvaluation.Run(pretrain, stream, test, options, RunOptions.Reporting(context.IndentedLog()), cancellationToken);

        var report = new ReproductionReport(Name);
        report.Setting["model"] = $"MLP 784-256-10 (ReLU), pretrained {options.PretrainEpochs} epochs (Adam 1e-3) on {pretrain.Count} MNIST training images";
        report.Setting["stream"] = $"{r.StreamQueries} labelled user queries + {options.Canaries} canaries x {string.Join("/", options.Repetitions)} (one stream per count), on-line SGD lr {options.LearningRate}, batch {options.BatchSize}";
        report.Setting["offline"] = $"the same MLP trained from scratch on the {pretrain.Count} images + {options.Canaries} canaries x {options.OfflineRepetitions}: Adam 1e-3, {options.OfflineEpochs} epochs; DP-SGD: SGD lr 0.1, Poisson lots of 128, target eps {options.OfflineEpsilon}";
        report.Setting["canaries"] = $"{options.Bits}-bit block codes on a 28x28 image, one per class; 5 control codes per class never inserted (baseline)";
        report.Setting["dp_sgd"] = $"C = {options.ClipNorm}, sigma = {options.NoiseMultiplier}, fixed batches (no sampling), delta = {options.Delta}";
        report.Setting["membership"] = $"loss threshold (Yeom et al.): {r.Online[0].Membership.Members} stream (or training) images vs as many held-out test images";
        report.Setting["seed"] = context.Seed;
        report.Metrics["pretrain_accuracy"] = r.PretrainAccuracy;
        report.Metrics["space_bits"] = r.SpaceBits;
        report.Metrics["before_stream.membership_auc"] = r.PretrainMembership.Auc;
        report.Metrics["before_stream.membership_tpr_at_0.1pct_fpr"] = r.PretrainMembership.TprAt01PctFpr;
        foreach (var (run, offline) in r.Online.Select(run => (run, false)).Append((r.OfflineUndefended, true)).Append((r.OfflinePrivate, true)))
        {
            var key = (offline ? "offline." : "online.") + (run.Private ? "dpsgd" : "sgd") + (offline ? "" : $".r{run.Repetitions}");
            foreach (var p in offline ? [] : run.Curve)
            {
                var at = $"{key}.update_{p.Updates.ToString(CultureInfo.InvariantCulture)}";
                report.Metrics[at + ".canary_exposure"] = p.CanaryMean;
                report.Metrics[at + ".baseline_exposure"] = p.BaselineMean;
            }
            var last = run.Curve[^1];
            report.Metrics[key + ".canary_exposure"] = last.CanaryMean;
            report.Metrics[key + ".canary_exposure_min"] = last.CanaryMin;
            report.Metrics[key + ".baseline_exposure"] = last.BaselineMean;
            report.Metrics[key + ".baseline_exposure_std"] = last.BaselineStd;
            report.Metrics[key + ".baseline_exposure_max"] = last.BaselineMax;
            report.Metrics[key + ".membership_auc"] = run.Membership.Auc;
            report.Metrics[key + ".membership_tpr_at_0.1pct_fpr"] = run.Membership.TprAt01PctFpr;
            report.Metrics[key + ".test_accuracy"] = run.Accuracy;
            if (run.Private)
            {
                report.Metrics[key + ".epsilon_per_query"] = run.EpsilonPerQuery;
                report.Metrics[key + (offline ? ".epsilon_group_bound_per_canary" : ".epsilon_per_canary")] = run.EpsilonPerCanary;
            }
        }
        report.Paper["exposure"] = "Carlini et al. 2019: a canary inserted 4+ times into a non-private LSTM's training data reaches full exposure (log2|R|); with DP-SGD (eps < 5) exposure stays at the level of never-inserted secrets";
        return report;
    }
}
