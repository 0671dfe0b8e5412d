using NeuralShield.Attacks.Evasion;
using NeuralShield.Evaluation;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// The Square attack (Andriushchenko et al., ECCV 2020) at ε = 0.3 L∞ (<c>--variant norm=l2</c>: ε = 2.0 L2;
/// <c>--variant eps=E</c> another radius) on the first N MNIST test images the model classifies correctly: success within
/// the query budget and the median queries. The model is a black box: the ONNX file of <c>--oracle</c> (probabilities
/// only), or one of the cached LeNet-5s (<c>--variant model=pgd|distilled|plain</c>). <c>--variant draws=sample</c> draws
/// the squares per sample instead of per batch; <c>--variant attack-seed=S</c> seeds the attack apart from the model;
/// <c>--variant export=DIR</c> writes a cached LeNet-5, the images and the result for
/// benchmarks/reference/autoattack_reference.py <c>--version square</c>.
/// </summary>
internal sealed class SquareExperiment : IReproduction
{
    public string Name => "square";

    public string Description => "Andriushchenko et al. 2020, Square attack (Linf eps 0.3 or L2 eps 2.0, p_init 0.8) on an ONNX black box or a cached LeNet-5";

    public IReadOnlyList<string> VariantKeys => ["model", "queries", "norm", "eps", "draws", "attack-seed", "export"];

    public ReproductionReport Run(ReproductionContext context, CancellationToken cancellationToken)
    {
        var budgetText = context.Variants is not null && context.Variants.TryGetValue("queries", out var q) ? q : "5001";
        if (!int.TryParse(budgetText, out var budget) || budget < 1) throw new ReproductionSettingException($"--variant queries must be a positive whole number; got '{budgetText}'.");
        var norm = context.Variant("norm", "linf", "l2") == "l2" ? Metrics.Norm.L2 : Metrics.Norm.LInf;
        var epsilon = Number(context, "eps", norm == Metrics.Norm.L2 ? 2.0 : 0.3);
        var perSample = context.Variant("draws", "batch", "sample") == "sample";
        var attackSeed = (long)Number(context, "attack-seed", context.Seed);
        string? export = context.Variants is not null && context.Variants.TryGetValue("export", out var folder) ? folder : null;
        var (train, test) = ExperimentData.Mnist(context with { Samples = null }, defaultSamples: 10_000);
        using var _ = train;
        using var all = test;
        using var images = all.Take(context.Samples ?? 1000);
        string modelName;
        IClassifier model;
        IDisposable? owned = null;
        if (context.BlackBoxes is { Count: > 0 } boxes)
        {
            model = boxes[0].Classifier;
            modelName = $"ONNX {Path.GetFileName(boxes[0].Path)} (probabilities only)";
        }
        else
        {
            var which = context.Variant("model", "pgd", "distilled", "plain");
            model = AutoAttackExperiment.Model(context, which, train, cancellationToken);
            owned = (IDisposable)model;
            modelName = $"LeNet-5 {which} (scores only)";
        }
        using var __ = owned;
        if (export is not null && model is not TorchClassifier)
            throw new ReproductionSettingException("--variant export needs a cached LeNet-5 (--variant model=...), not an --oracle.");
        var normName = norm == Metrics.Norm.L2 ? "L2" : "L-inf";
        var square = new SquareAttack(new SquareOptions { Norm = norm, Epsilon = epsilon, MaxQueries = budget, PInit = 0.8, DrawPerSample = perSample, Seed = attackSeed });
        context.Log.WriteLine($"  Square {normName} eps {epsilon}, p_init 0.8, budget {budget} queries per sample, squares drawn per {(perSample ? "sample" : "batch")}, seed {attackSeed}, on {modelName}");
        var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var outcome = QueryAttackEvaluation.Evaluate(model, images.Features, images.Labels, square, cancellationToken: cancellationToken);
        var cpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        context.Log.WriteLine($"  clean {outcome.CleanAccuracy:P2}; success {outcome.SuccessRate:P2} of the correct ones, median queries {outcome.MedianQueries}, mean {outcome.MeanQueries:F1} ({outcome.Elapsed.TotalSeconds:F1} s, {cpuSeconds:F1} s CPU)");
        if (export is not null)
            ReferenceExport.Write(export, (TorchClassifier)model, images.Features, images.Labels, new
            {
                clean = outcome.CleanAccuracy, success = outcome.SuccessRate, median_queries = outcome.MedianQueries, mean_queries = outcome.MeanQueries,
                seconds = outcome.Elapsed.TotalSeconds, cpu_seconds = cpuSeconds, norm = normName, eps = epsilon, queries = budget, seed = attackSeed,
            });

        var report = new ReproductionReport(Name);
        report.Setting["model"] = modelName;
        report.Setting["norm"] = normName;
        report.Setting["epsilon"] = epsilon;
        report.Setting["draws"] = perSample ? "per sample" : "per batch";
        report.Setting["max_queries"] = budget;
        report.Setting["p_init"] = 0.8;
        report.Setting["samples"] = images.Count;
        report.Setting["seed"] = context.Seed;
        report.Setting["attack_seed"] = attackSeed;
        report.Metrics["clean_accuracy"] = outcome.CleanAccuracy;
        report.Metrics["success_rate"] = outcome.SuccessRate;
        if (outcome.Metrics is { } metrics)
            report.Evasion(modelName, square, $"{normName}, eps {epsilon}, p_init 0.8, {budget} queries per sample (the correctly classified samples)", "untargeted", metrics);
        report.Metrics["median_queries"] = outcome.MedianQueries;
        report.Metrics["mean_queries"] = outcome.MeanQueries;
        report.Metrics["seconds"] = outcome.Elapsed.TotalSeconds;
        report.Paper["source"] = "Andriushchenko, Croce, Flammarion, Hein, ECCV 2020, arXiv 1912.00049; reference code fra31/auto-attack square.py";
        return report;
    }

    private static double Number(ReproductionContext context, string key, double fallback)
    {
        if (context.Variants is null || !context.Variants.TryGetValue(key, out var text)) return fallback;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || !(value > 0 || key == "attack-seed" && value >= 0))
            throw new ReproductionSettingException($"--variant {key} must be a {(key == "eps" ? "positive" : "non-negative")} number; got '{text}'.");
        return value;
    }
}
