using NeuralShield.Attacks.Evasion;
using NeuralShield.Evaluation;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// The Square attack (Andriushchenko et al., ECCV 2020) at ε = 0.3 L∞ on the first N MNIST test images the model
/// classifies correctly: success within the query budget and the median queries. The model is a black box: the ONNX
/// file of <c>--oracle</c> (probabilities only), or one of the cached LeNet-5s (<c>--variant model=pgd|distilled|plain</c>).
/// </summary>
internal sealed class SquareExperiment : IReproduction
{
    private const double Epsilon = 0.3;

    public string Name => "square";

    public string Description => "Andriushchenko et al. 2020, Square attack (Linf, eps 0.3, p_init 0.8) on an ONNX black box or a cached LeNet-5";

    public IReadOnlyList<string> VariantKeys => ["model", "queries"];

    public ReproductionReport Run(ReproductionContext context, CancellationToken cancellationToken)
    {
        var budgetText = context.Variants is not null && context.Variants.TryGetValue("queries", out var q) ? q : "5001";
        if (!int.TryParse(budgetText, out var budget) || budget < 1) throw new ReproductionSettingException($"--variant queries must be a positive whole number; got '{budgetText}'.");
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
        var square = new SquareAttack(new SquareOptions { Epsilon = Epsilon, MaxQueries = budget, PInit = 0.8, Seed = context.Seed });
        context.Log.WriteLine($"  Square L-inf eps {Epsilon}, p_init 0.8, budget {budget} queries per sample, on {modelName}");
        var outcome = QueryAttackEvaluation.Evaluate(model, images.Features, images.Labels, square, cancellationToken: cancellationToken);
        context.Log.WriteLine($"  clean {outcome.CleanAccuracy:P2}; success {outcome.SuccessRate:P2} of the correct ones, median queries {outcome.MedianQueries}, mean {outcome.MeanQueries:F1} ({outcome.Elapsed.TotalSeconds:F1} s)");

        var report = new ReproductionReport(Name);
        report.Setting["model"] = modelName;
        report.Setting["epsilon"] = Epsilon;
        report.Setting["max_queries"] = budget;
        report.Setting["p_init"] = 0.8;
        report.Setting["samples"] = images.Count;
        report.Setting["seed"] = context.Seed;
        report.Metrics["clean_accuracy"] = outcome.CleanAccuracy;
        report.Metrics["success_rate"] = outcome.SuccessRate;
        report.Metrics["median_queries"] = outcome.MedianQueries;
        report.Metrics["mean_queries"] = outcome.MeanQueries;
        report.Metrics["seconds"] = outcome.Elapsed.TotalSeconds;
        report.Paper["source"] = "Andriushchenko, Croce, Flammarion, Hein, ECCV 2020, arXiv 1912.00049; reference code fra31/auto-attack square.py";
        return report;
    }
}
