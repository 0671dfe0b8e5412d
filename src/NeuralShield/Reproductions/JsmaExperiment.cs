using NeuralShield.Reports;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Reproductions;

/// <summary>
/// Papernot et al., EuroS&amp;P 2016, Section V: JSMA (θ = +1, γ = 14.5%, F = softmax) against an MNIST CNN, every
/// attacked test image paired with each of its 9 other classes. Paper: 97.1% success, 4.02% of the pixels changed
/// on average over the successful samples. The model is the distillation paper's MNIST net (the same authors'
/// next paper), trained with Adam for 10 epochs on the first 10,000 training images. JSMA-Z (F = logits) is
/// reported next to it with the prefix <c>z_</c>.
/// </summary>
internal sealed class JsmaExperiment() : MnistReproduction(
    "jsma",
    "Papernot et al. 2016, JSMA-F theta=+1 gamma=14.5% on the distillation-paper MNIST CNN, 9 targets per image",
    defaultSamples: 100)
{
    private const int ImagesPerRun = 25;

    /// <summary><c>--variant train=2500|5000</c>: the model trained on only the first N training images (how the pixels JSMA needs depend on the data the model saw).</summary>
    public override IReadOnlyList<string> VariantKeys => ["train"];

    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        using var fewer = context.FewerTrainingImages(train);
        var training = new TrainingOptions { Epochs = context.Epochs ?? 10, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed };
        var recipe = new ModelRecipe { Architecture = s => ModelZoo.DistillationCnn(seed: s), Training = training, Seed = context.Seed, Device = context.Device };
        using var model = ModelCache.Train(context, "distillation-cnn-adam-e10-b128" + (fewer is null ? "" : $"-train{fewer.Count}"), recipe, fewer ?? train, cancellationToken).Classifier;
        double clean;
        using (var fullTest = Mnist.Load(context.DataDirectory, MnistSplit.Test)) clean = ModelAccuracy.Of(model, fullTest);
        context.Log.WriteLine($"  clean accuracy on the 10,000 test images: {clean:P2}");

        var report = new ReproductionReport(Name);
        report.Setting["model"] = "distillation-paper MNIST CNN (conv 32-32-pool-64-64-pool, fc 200-200-10)";
        report.Setting["training"] = $"the first {(fewer ?? train).Count} training images, Adam lr {training.LearningRate}, {training.Epochs} epochs, batch {training.BatchSize}";
        report.Setting["theta"] = 1;
        report.Setting["gamma"] = 0.145;
        report.Setting["search"] = "pairwise (paper)";
        report.Setting["images"] = test.Count;
        report.Setting["pairs"] = test.Count * 9;
        report.Setting["seed"] = context.Seed;
        report.Metrics["clean_accuracy"] = clean;

        foreach (var (output, prefix) in new[] { (JsmaOutput.Probabilities, ""), (JsmaOutput.Logits, "z_") })
        {
            var attack = new Jsma(new JsmaOptions { Gamma = 0.145, Direction = JsmaDirection.Increase, Output = output });
            var totals = Attack(context, model, attack, test, output == JsmaOutput.Probabilities ? "JSMA-F" : "JSMA-Z", cancellationToken);
            report.Metrics[prefix + "success_rate"] = totals.SuccessRate;
            report.Metrics[prefix + "mean_l0_fraction"] = totals.MeanL0FractionOverSuccesses;
            report.Metrics[prefix + "mean_l0_fraction_all"] = totals.MeanL0FractionAll;
            report.Metrics[prefix + "samples_per_second"] = totals.PairsPerSecond;
            report.Evasion("distillation-paper CNN", attack, $"{(prefix.Length == 0 ? "JSMA-F" : "JSMA-Z")}, theta=+1, gamma=14.5%", "targeted (each of the 9 other classes)",
                totals.Pooled, prefix.Length == 0 ? "97.1% success, 4.02% of the pixels" : null);
        }
        report.Paper["success_rate"] = 0.971;
        report.Paper["mean_l0_fraction"] = 0.0402;
        report.Paper["source"] = "Papernot, McDaniel, Jha, Fredrikson, Celik, Swami, EuroS&P 2016, arXiv 1511.07528, Section V (LeNet on MNIST, theta=+1, gamma=14.5%)";
        return report;
    }

    private sealed record Totals(double SuccessRate, double MeanL0FractionOverSuccesses, double MeanL0FractionAll, double PairsPerSecond, EvasionMetrics Pooled);

    /// <summary>Attacks each image towards its 9 other classes, <see cref="ImagesPerRun"/> images (225 pairs) per batch.</summary>
    private static Totals Attack(ReproductionContext context, TorchClassifier model, Jsma attack, LabeledData images, string name, CancellationToken cancellationToken)
    {
        var features = (double)images.FeatureCount;
        long pairs = 0, successes = 0;
        double l0Successes = 0, l0All = 0;
        var elapsed = TimeSpan.Zero;
        var runs = new List<EvasionMetrics>();
        for (var start = 0; start < images.Count; start += ImagesPerRun)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(ImagesPerRun, images.Count - start);
            var x = images.Features.narrow(0, start, count).repeat_interleave(9, 0);
            var labels = images.Labels.narrow(0, start, count).repeat_interleave(9);
            var targets = (labels + arange(1, 10, dtype: ScalarType.Int64).repeat(count)).remainder(10);
            var watch = Stopwatch.StartNew();
            using var result = attack.Run(model, x, AttackGoal.Targeted(targets), cancellationToken);
            elapsed += watch.Elapsed;
            runs.Add(result.Metrics);
            var ok = result.Success.to_type(ScalarType.Float64).cpu();
            var l0 = result.L0.to_type(ScalarType.Float64).cpu();
            pairs += count * 9;
            successes += (long)ok.sum().item<double>();
            l0Successes += (l0 * ok).sum().item<double>();
            l0All += l0.sum().item<double>();
            context.Log.WriteLine($"  {name}: {start + count}/{images.Count} images, success {(double)successes / pairs:P1}, " +
                                  $"mean L0 fraction {(successes == 0 ? double.NaN : l0Successes / successes / features):P2}, {pairs / elapsed.TotalSeconds:F1} pairs/s");
        }
        return new Totals((double)successes / pairs, successes == 0 ? double.NaN : l0Successes / successes / features, l0All / pairs / features, pairs / elapsed.TotalSeconds,
            ReproductionRecords.Pooled(runs));
    }
}
