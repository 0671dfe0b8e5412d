using System.Security.Cryptography;
using System.Text.Json;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Defenses.Data;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// The backdoor detectors of Survey §4.1 on one BadNets-poisoned LeNet-5 (5% of MNIST's first 10k training images, 3×3
/// white square, target 0; the model of <c>poisoning</c>, shared through the cache): activation clustering with each of
/// Chen et al.'s three cluster analyses and spectral signatures (Tran et al.) in two representations. For each detector:
/// precision and recall of its flags, and the test accuracy and backdoor success of a model retrained on the set without
/// them. <c>--variant export=DIR</c> writes the representations, labels, poison flags and every detector's flags for
/// benchmarks/reference/backdoor_detection_reference.py.
/// </summary>
internal sealed class BackdoorDetectionExperiment() : MnistReproduction(
    "backdoor-detection",
    "Chen et al. 2018 activation clustering (relative size, silhouette, exclusionary reclassification) and Tran et al. 2018 spectral signatures on 5% BadNets, LeNet-5",
    defaultSamples: 10_000)
{
    private const int Target = 0;
    private const double PoisonFraction = 0.05;
    /// <summary>The defender's bound on a class's poisoned share: a third of class 0 is poisoned here.</summary>
    private const double Epsilon = 0.35;
    /// <summary>IBM ART's silhouette threshold (ClusteringAnalyzer.analyze_by_silhouette_score).</summary>
    private const double SilhouetteThreshold = 0.10;
    /// <summary>Training runs of the clean set and of the chosen detectors' cleaned sets (weights and batch order seeded seed + run).</summary>
    private const int TrainingRuns = 4;
    /// <summary>The largest k SPECTRE's search considers here.</summary>
    private const int SpectreMaxDimensions = 16;

    public override IReadOnlyList<string> VariantKeys => ["export", "seeds"];

    /// <summary>The keys summarised over seeds: each detector's detection and after-removal numbers, and the models' own.</summary>
    private static readonly string[] SummarisedSuffixes = [".recall", ".precision", ".flagged", ".accuracy_after", ".backdoor_success_after", ".accuracy_after_minus_clean_runs_mean", "clean_accuracy", "clean_accuracy_runs_mean", "backdoor.success_rate"];

    /// <summary>
    /// One seed (the context's), or with <c>--variant seeds=0,1,2,7</c> each of those seeds in turn: every seed's metrics
    /// under <c>seedS.</c> and the mean and range over the seeds of each detector's numbers (<c>key.mean</c>, <c>.min</c>,
    /// <c>.max</c>). With <c>export=DIR</c>, seed S writes to DIR/seedS.
    /// </summary>
    protected override Func<string, bool> SweptKeys => k => SummarisedSuffixes.Any(k.EndsWith);

    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var report = new ReproductionReport(Name);
        var log = context.Log;
        var recipe = PoisoningModels.Recipe(context);
        var timings = new Dictionary<string, double>();

        using var clean = ExperimentData.LeNet5(context, train, cancellationToken);
        var cleanAccuracy = ModelAccuracy.Of(clean, test);
        report.Metrics["clean_accuracy"] = cleanAccuracy;

        var trigger = BackdoorTrigger.Square([1, 28, 28], size: 3, value: 1f, margin: 1);
        var badNets = new BackdoorPoisoning(trigger, new BackdoorOptions { TargetClass = Target, Fraction = PoisonFraction, Seed = context.Seed });
        using var backdoor = badNets.Poison(train, cancellationToken: cancellationToken);
        using var backdoored = PoisoningModels.Train(context, recipe, backdoor.Data, "5% BadNets poison", timings, cancellationToken);
        report.Metrics["backdoor.success_rate"] = PoisoningMeasures.BackdoorSuccessRate(backdoored, test, trigger.Stamp, Target);
        report.Metrics["backdoor.clean_accuracy"] = ModelAccuracy.Of(backdoored, test);
        var poisonedOfTarget = backdoor.Indices.Count / (double)backdoor.Data.ClassCounts()[Target];
        report.Metrics["backdoor.poisoned_share_of_target_class"] = poisonedOfTarget;
        report.Poisoning("LeNet-5", badNets, $"{PoisonFraction:P0} BadNets poison, 3x3 square", $"backdoor to class {Target}",
            backdoor.Metrics with { CleanAccuracy = report.Metrics["backdoor.clean_accuracy"], AttackSuccessRate = report.Metrics["backdoor.success_rate"] });
        log.WriteLine($"  BadNets: success {report.Metrics["backdoor.success_rate"]:P2}, clean accuracy {report.Metrics["backdoor.clean_accuracy"]:P2}; {poisonedOfTarget:P1} of class {Target} poisoned");

        // The clean model's spread over training runs (weights and batch order seeded seed + run): the noise that "within
        // 1 pp of the clean model" is judged against. Run 0 is the shared cached model.
        var cleanRuns = new double[TrainingRuns];
        cleanRuns[0] = cleanAccuracy;
        for (var run = 1; run < TrainingRuns; run++)
        {
            using var model = PoisoningModels.Train(context, recipe, train, "clean", timings, cancellationToken, run: run);
            cleanRuns[run] = ModelAccuracy.Of(model, test);
        }
        Spread(report, "clean_accuracy_runs", cleanRuns);

        var flags = new Dictionary<string, IReadOnlyList<long>>();
        void Measure(string name, SanitizationReport result, bool runs = false)
        {
            var detection = result.Detection ?? result.Evaluate(backdoor.Indices);
            report.Metrics[$"{name}.precision"] = detection.Precision;
            report.Metrics[$"{name}.recall"] = detection.Recall;
            report.Metrics[$"{name}.flagged"] = result.Flagged.Count;
            flags[name] = result.Flagged;
            // The retrained model's cache key names the set by its hash, so equal sets share one model.
            using var restored = PoisoningModels.Train(context, recipe, result.Cleaned, $"5% BadNets without {result.Flagged.Count} flags {Hash(result.Cleaned)}", timings, cancellationToken);
            report.Metrics[$"{name}.accuracy_after"] = ModelAccuracy.Of(restored, test);
            report.Metrics[$"{name}.backdoor_success_after"] = PoisoningMeasures.BackdoorSuccessRate(restored, test, trigger.Stamp, Target);
            log.WriteLine($"  {name}: precision {detection.Precision:F3}, recall {detection.Recall:F3} ({result.Flagged.Count} flagged); after removal accuracy {report.Metrics[$"{name}.accuracy_after"]:P2}, backdoor success {report.Metrics[$"{name}.backdoor_success_after"]:P2}");
            if (!runs) return;
            // The same cleaned set trained TrainingRuns times, against the clean set's runs.
            var accuracies = new double[TrainingRuns];
            var successes = new double[TrainingRuns];
            accuracies[0] = report.Metrics[$"{name}.accuracy_after"];
            successes[0] = report.Metrics[$"{name}.backdoor_success_after"];
            for (var run = 1; run < TrainingRuns; run++)
            {
                using var again = PoisoningModels.Train(context, recipe, result.Cleaned, $"5% BadNets without {result.Flagged.Count} flags {Hash(result.Cleaned)}", timings, cancellationToken, run: run);
                accuracies[run] = ModelAccuracy.Of(again, test);
                successes[run] = PoisoningMeasures.BackdoorSuccessRate(again, test, trigger.Stamp, Target);
            }
            Spread(report, $"{name}.accuracy_after_runs", accuracies);
            Spread(report, $"{name}.backdoor_success_after_runs", successes);
            report.Metrics[$"{name}.accuracy_after_minus_clean_runs_mean"] = accuracies.Average() - cleanRuns.Average();
            log.WriteLine($"  {name}: over {TrainingRuns} training runs, accuracy after removal {accuracies.Average():P2} ({accuracies.Min():P2}-{accuracies.Max():P2}) against the clean set's {cleanRuns.Average():P2} ({cleanRuns.Min():P2}-{cleanRuns.Max():P2}); backdoor success at most {successes.Max():P2}");
        }

        // Activation clustering: the three analyses share each clustering (same reduction, same k-means seed). "ica": the
        // whitened principal components, on which 2-means and silhouettes equal those on FastICA's output (the paper's and
        // IBM ART's reduction; FastICA only rotates them); "pca": plain principal components.
        var smallerClusters = new Dictionary<string, int[]>();
        var labels = backdoor.Data.Labels.cpu().data<long>().ToArray();
        var poison = backdoor.Indices.ToHashSet();
        foreach (var (reduction, whiten) in new[] { ("ica", true), ("pca", false) })
        {
            foreach (var (analysisName, analysis) in new[]
                     {
                         ("relative_size", ClusterAnalysis.RelativeSize),
                         ("silhouette", ClusterAnalysis.Silhouette),
                         ("exclusionary", ClusterAnalysis.ExclusionaryReclassification),
                     })
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = $"activation.{reduction}.{analysisName}";
                var options = new ActivationClusteringOptions
                {
                    Analysis = analysis, Whiten = whiten, Seed = context.Seed,
                    MinSilhouette = analysis == ClusterAnalysis.Silhouette ? SilhouetteThreshold : 0,
                };
                IClassifier Retrain(LabeledData set, CancellationToken ct) =>
                    PoisoningModels.Train(context, recipe, set, $"5% BadNets without {backdoor.Data.Count - set.Count} points of a smaller cluster {Hash(set)}", timings, ct);
                var defense = new ActivationClustering(backdoored, options, Retrain);
                using var result = defense.Inspect(backdoor, cancellationToken);
                Measure(name, result, runs: name == "activation.ica.exclusionary");
                if (name == "activation.ica.exclusionary")
                {
                    // The one-target variant: of the clusters the rule flags, only the one the retrained models reject most
                    // (smallest l / p). Same clusters and retrained models (loaded from the cache), so no new training here.
                    var oneTarget = options.Copy();
                    oneTarget.MaxPoisonedClasses = 1;
                    using var mostRejected = new ActivationClustering(backdoored, oneTarget, Retrain).Inspect(backdoor, cancellationToken);
                    Measure($"{name}.most_rejected", mostRejected, runs: true);

                    // The same flags kept only in the target class: what a defender who knows the target (the knowledge
                    // SPECTRE's experiments assume, and its row below uses) removes.
                    var inTarget = result.Flagged.Where(i => labels[i] == Target).ToArray();
                    var removed = inTarget.ToHashSet();
                    var keep = Enumerable.Range(0, backdoor.Data.Count).Select(i => (long)i).Where(i => !removed.Contains(i)).ToArray();
                    using var target = new SanitizationReport(name, inTarget, backdoor.Data.Subset(keep), SanitizeAction.Remove);
                    Measure($"{name}.target", target, runs: true);
                }
                if (!smallerClusters.ContainsKey(reduction))
                {
                    var inSmall = defense.LastInSmallerCluster.ToArray();
                    smallerClusters[reduction] = inSmall;
                    report.Metrics[$"activation.{reduction}.target_smaller_cluster.poison_recall"] = poison.Count(i => inSmall[i] == 1) / (double)poison.Count;
                }
                foreach (var c in defense.LastClasses)
                {
                    report.Metrics[$"activation.{reduction}.class{c.Label}.silhouette"] = c.Silhouette;
                    report.Metrics[$"activation.{reduction}.class{c.Label}.smaller_share"] = c.SmallerClusterShare;
                    if (c.KeptLabel is { } l)
                    {
                        report.Metrics[$"activation.{reduction}.class{c.Label}.reclassified_kept"] = l;
                        report.Metrics[$"activation.{reduction}.class{c.Label}.reclassified_other"] = c.OtherClassCount!.Value;
                        report.Metrics[$"activation.{reduction}.class{c.Label}.reclassified_to"] = c.OtherClass!.Value;
                    }
                }
            }
        }

        // Spectral signatures, per class: ((r - mean)·v)², the top 1.5·ε·n removed; in the penultimate layer (84 ReLU
        // units) and in the flattened output of the convolutional block (16×5×5 = 400, the reference code's kind of
        // representation: a convolutional stage's feature map, before the last layers).
        var scores = new Dictionary<string, double[]>();
        foreach (var (layerName, layer) in new[] { ("penultimate", 1), ("conv", 5) })
        {
            using (var spectral = new SpectralSignatures(backdoored, new SpectralSignatureOptions { Epsilon = Epsilon, LayerFromEnd = layer }).Inspect(backdoor, cancellationToken))
            {
                Measure($"spectral.{layerName}", spectral);
                scores[layerName] = spectral.Scores!.ToArray();
            }
            using var tight = new SpectralSignatures(backdoored, new SpectralSignatureOptions { Epsilon = PoisonFraction, LayerFromEnd = layer }).Inspect(backdoor, cancellationToken);
            report.Metrics[$"spectral_eps0.05.{layerName}.precision"] = tight.Detection!.Value.Precision;
            report.Metrics[$"spectral_eps0.05.{layerName}.recall"] = tight.Detection!.Value.Recall;
            flags[$"spectral_eps0.05.{layerName}"] = tight.Flagged;
        }

        // SPECTRE (Hayase et al. 2021) in the penultimate layer, with the same bound ε, on the target class (as the authors'
        // experiments run it; on every class it would also remove 1.5·ε = 52% of each clean class, as spectral signatures
        // do). k is searched over 1, 4, 9, 16 (the authors: up to 100): the robust filter runs hundreds of rounds at this
        // poisoned share, and each k above 16 costs minutes.
        {
            const string name = "spectre.penultimate.target";
            var watch = Stopwatch.StartNew();
            var spectre = new Defenses.Data.Spectre(backdoored, new SpectreOptions { Epsilon = Epsilon, Class = Target, MaxDimensions = SpectreMaxDimensions });
            using var result = spectre.Inspect(backdoor, cancellationToken);
            timings[$"{name} inspection"] = watch.Elapsed.TotalSeconds;
            report.Metrics[$"{name}.dimensions"] = spectre.LastDimensions[Target];
            Measure(name, result, runs: true);
            scores[name] = result.Scores!.ToArray();
        }

        if (context.Variants is not null && context.Variants.TryGetValue("export", out var folder))
            Export(folder, backdoored, backdoor, flags, scores, smallerClusters, context.Seed);

        report.Setting["seed"] = context.Seed;
        report.Setting["model"] = "LeNet-5";
        report.Setting["training"] = $"{ExperimentData.LeNet5Training} for every model (the clean reference: the shared cached LeNet-5)";
        report.Setting["backdoor"] = "BadNets, 3x3 white square bottom-right, target 0, 5% of the training set";
        report.Setting["activation"] = $"penultimate layer (84), PCA to 10 (ica: whitened, the distances of FastICA's output; pca: plain), 2-means per class (k-means++, 5 restarts); relative_size: smaller cluster <= 0.35 of the class; silhouette: class silhouette >= {SilhouetteThreshold} (IBM ART's threshold); "
            + "exclusionary: per class, a LeNet-5 retrained without that class's smaller cluster; the cluster is poison when l <= 1 * p (l: its points classified as their label, p: as the most common other class C, reclassified_to); "
            + "exclusionary.most_rejected: of those, only the cluster with the smallest l / p (MaxPoisonedClasses 1: one target class, not known to the defender)";
        report.Setting["spectral"] = $"per class ((r - mean).v)^2, v the top right singular vector of the centred representations, top floor(1.5 * eps * n) removed, eps {Epsilon} (and 0.05: the overall poisoned share); penultimate: 84 units; conv: the 400 flattened outputs of the second conv block";
        report.Setting["spectre"] = $"Hayase et al. 2021 as the authors' code runs it: per class, PCA to k (k = 1, 4, 9, 16 chosen by the QUE-weighted excess of the class whitened by the kept points; the authors search up to 100), robust covariance by the filter of Diakonikolas et al. 2017 (at most 2 eps n points discarded, tau 0.1), whitening, QUE scores (alpha 4), the top round(1.5 * eps * n) removed; eps {Epsilon}; class {Target} only (the authors' experiments know the target label)";
        report.Setting["training_runs"] = $"clean_accuracy_runs_* and *_runs_* (activation.ica.exclusionary, its .target and .most_rejected rows, spectre.penultimate.target): {TrainingRuns} trainings of the same set, weights and batch order seeded seed + run (run 0: the single-run keys)";
        report.Setting["after"] = "accuracy_after and backdoor_success_after: a LeNet-5 retrained on the set without the flagged points (same recipe and seed)";
        report.Setting["wall_seconds"] = Math.Round(total.Elapsed.TotalSeconds);
        foreach (var (what, seconds) in timings) report.Setting[$"seconds.{what}"] = Math.Round(seconds, 1);
        report.Paper["source"] = "Chen et al. 2018 (arXiv 1811.03728); Tran, Li, Madry 2018 (arXiv 1811.00636); reference code: IBM ART ActivationDefence, MadryLab/backdoor_data_poisoning compute_corr.py";
        return report;
    }

    private static void Spread(ReproductionReport report, string name, double[] values)
    {
        report.Metrics[$"{name}_mean"] = values.Average();
        report.Metrics[$"{name}_min"] = values.Min();
        report.Metrics[$"{name}_max"] = values.Max();
    }

    /// <summary>The first 12 hex digits of SHA-256 over a set's labels and features: names a sanitized set in the model cache.</summary>
    private static string Hash(LabeledData set)
    {
        using var features = set.Features.to_type(TorchSharp.torch.ScalarType.Float32).cpu().contiguous();
        using var labels = set.Labels.cpu().contiguous();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(labels.data<long>().ToArray().AsSpan()));
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(features.data<float>().ToArray().AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset())[..12];
    }

    /// <summary>
    /// Writes, for the reference script: meta.json (sizes, poisoned indices, flags and scores of each detector, the smaller
    /// 2-means cluster of each point), labels.i64, penultimate.f32 and conv.f32 (row-major float32, little-endian).
    /// </summary>
    private static void Export(string folder, TorchClassifier model, PoisonedData backdoor, Dictionary<string, IReadOnlyList<long>> flags,
        Dictionary<string, double[]> scores, Dictionary<string, int[]> smallerClusters, long seed)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var dims = new Dictionary<string, long>();
            foreach (var (name, layer) in new[] { ("penultimate", 1), ("conv", 5) })
            {
                using var rep = Sanitizers.Representation(model, backdoor.Data.Features, layer);
                using var cpu = rep.to_type(TorchSharp.torch.ScalarType.Float32).cpu().contiguous();
                var values = cpu.data<float>().ToArray();
                var bytes = new byte[values.Length * sizeof(float)];
                Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
                File.WriteAllBytes(Path.Combine(folder, $"{name}.f32"), bytes);
                dims[name] = rep.shape[1];
            }
            var labels = backdoor.Data.Labels.cpu().data<long>().ToArray();
            var labelBytes = new byte[labels.Length * sizeof(long)];
            Buffer.BlockCopy(labels, 0, labelBytes, 0, labelBytes.Length);
            File.WriteAllBytes(Path.Combine(folder, "labels.i64"), labelBytes);
            var meta = new Dictionary<string, object>
            {
                ["seed"] = seed,
                ["count"] = labels.Length,
                ["dims"] = dims,
                ["poisoned"] = backdoor.Indices,
                ["flags"] = flags,
                ["scores"] = scores,
                ["smaller_cluster"] = smallerClusters,
                ["epsilon"] = Epsilon,
            };
            File.WriteAllText(Path.Combine(folder, "meta.json"), JsonSerializer.Serialize(meta));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReproductionSettingException($"cannot write --variant export folder {folder}: {e.Message}", e);
        }
    }
}
