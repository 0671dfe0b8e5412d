using NeuralShield.Reports;
using NeuralShield.Attacks.Fooling;

namespace NeuralShield.Reproductions;

/// <summary>
/// Nguyen, Yosinski, Clune 2015 (arXiv 1412.1897): unrecognisable inputs that LeNet-5 on MNIST assigns to each digit
/// with ≥ 99.99% confidence, by gradient ascent (white box) and by evolution with a direct encoding (black box).
/// </summary>
internal sealed class FoolingExperiment() : MnistReproduction(
    "fooling",
    "Nguyen et al. 2015, fooling images for all 10 MNIST digits on LeNet-5 (gradient ascent and evolution)",
    defaultSamples: 10_000)
{
    private const double Bound = 0.999;

    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        using var model = ExperimentData.LeNet5(context, train, cancellationToken);
        var clean = ModelAccuracy.Of(model, test);
        context.Log.WriteLine($"  LeNet-5 test accuracy {clean:P2}");

        int[] classes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        long[] shape = [1, 28, 28];
        var gradientOptions = new GradientAscentFoolingOptions { Seed = context.Seed };
        var evolutionOptions = new EvolutionaryFoolingOptions { Seed = context.Seed };
        var mapElitesOptions = new EvolutionaryFoolingOptions { Strategy = EvolutionStrategy.MapElites, Seed = context.Seed };
        if (context.Iterations is { } generations)
        {
            evolutionOptions.Generations = generations;
            mapElitesOptions.Generations = generations;
        }

        var gradientAscent = new GradientAscentFooling(gradientOptions);
        var elitist = new EvolutionaryFooling(evolutionOptions);
        var mapElitesSearch = new EvolutionaryFooling(mapElitesOptions);
        using var gradient = gradientAscent.Generate(model, classes, shape, cancellationToken);
        Log(context, "gradient ascent", gradient);
        using var evolution = elitist.Generate(model, classes, shape, cancellationToken);
        Log(context, "evolution (elitist)", evolution);
        using var mapElites = mapElitesSearch.Generate(model, classes, shape, cancellationToken);
        Log(context, "evolution (MAP-Elites)", mapElites);

        var g = Confidences(gradient);
        var e = Confidences(evolution);
        var fooled = Enumerable.Range(0, 10).Count(c => g[c] >= Bound && e[c] >= Bound);

        var report = new ReproductionReport(Name);
        report.Setting["model"] = "LeNet-5 (conv 6@5x5, pool, conv 16@5x5, pool, fc 120-84-10), ReLU";
        report.Setting["training"] = ExperimentData.LeNet5Training;
        report.Setting["gradient"] = $"from uniform noise, sign steps {gradientOptions.StepSize}, at most {gradientOptions.Steps} steps, log-softmax objective";
        report.Setting["evolution"] = $"direct encoding, ({evolutionOptions.ParentCount} + {evolutionOptions.PopulationSize}) elitist strategy per class, at most {evolutionOptions.Generations} generations, "
            + $"polynomial mutation eta {evolutionOptions.DistributionIndex} on {evolutionOptions.MutationRate:P0} of the pixels";
        report.Setting["map_elites"] = $"MAP-Elites over the 10 classes, {mapElitesOptions.PopulationSize} children per generation, at most {mapElitesOptions.Generations} generations";
        report.Setting["stop_threshold"] = gradientOptions.ConfidenceThreshold;
        report.Setting["classes_fooled_definition"] = $"classes whose fooling image reaches confidence >= {Bound} under both gradient ascent and elitist evolution";
        report.Setting["seed"] = context.Seed;
        report.Metrics["clean_accuracy"] = clean;
        report.Metrics["min_confidence"] = Math.Min(g.Min(), e.Min());
        report.Metrics["min_confidence_gradient"] = g.Min();
        report.Metrics["min_confidence_evolutionary"] = e.Min();
        report.Metrics["classes_fooled"] = fooled;
        report.Metrics["steps_gradient"] = gradient.Metrics.Iterations;
        report.Metrics["generations_evolutionary"] = evolution.Metrics.Iterations;
        report.Metrics["queries_evolutionary"] = evolution.Metrics.Queries;
        report.Metrics["min_confidence_map_elites"] = mapElites.Metrics.MinConfidence;
        report.Metrics["generations_map_elites"] = mapElites.Metrics.Iterations;
        report.Metrics["queries_map_elites"] = mapElites.Metrics.Queries;
        report.Paper["min_confidence"] = 0.9999;
        report.Paper["min_confidence_evolutionary"] = 0.9999;
        report.Paper["classes_fooled"] = 10;
        report.Paper["source"] = "Nguyen, Yosinski, Clune, CVPR 2015, arXiv 1412.1897, Section 3.1 (MNIST: >= 99.99% for every digit within 200 generations)";
        const string lenet = "LeNet-5";
        report.Fooling(lenet, gradientAscent, report.Setting["gradient"].ToString()!, gradient.Metrics);
        report.Fooling(lenet, elitist, report.Setting["evolution"].ToString()!, evolution.Metrics, ">= 99.99% confidence for every digit within 200 generations");
        report.Fooling(lenet, mapElitesSearch, report.Setting["map_elites"].ToString()!, mapElites.Metrics, ">= 99.99% confidence for every digit within 200 generations");
        return report;
    }

    private static double[] Confidences(FoolingResult result)
    {
        using var cpu = result.Confidences.cpu().to_type(ScalarType.Float64);
        return cpu.data<double>().ToArray();
    }

    private static void Log(ReproductionContext context, string method, FoolingResult result) =>
        context.Log.WriteLine($"  {method}: min confidence {result.Metrics.MinConfidence:F6}, mean {result.Metrics.MeanConfidence:F6}, "
            + $"{result.Metrics.Iterations} iterations, {result.Metrics.Queries} queries, {result.Metrics.Elapsed.TotalSeconds:F1} s");
}
