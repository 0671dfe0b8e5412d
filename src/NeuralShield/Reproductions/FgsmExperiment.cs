using NeuralShield.Reports;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Reproductions;

/// <summary>Goodfellow et al. 2015: FGSM at ε = 0.25 against softmax regression on MNIST (paper: 99.9% error).</summary>
internal sealed class FgsmExperiment() : MnistReproduction(
    "fgsm",
    "Goodfellow et al. 2015, FGSM eps=0.25 on softmax regression",
    defaultSamples: 10_000)
{
    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        const double epsilon = 0.25;
        var options = new TrainingOptions { Epochs = context.Epochs ?? 10, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed };
        var recipe = new ModelRecipe { Architecture = s => ModelZoo.SoftmaxRegression(784, 10, s), Training = options, Seed = context.Seed, Device = context.Device };
        using var model = ModelCache.Train(context, "softmax-regression", recipe, train, cancellationToken).Classifier;
        var clean = ModelAccuracy.Of(model, test);

        var fgsm = new Fgsm(new FgsmOptions { Epsilon = epsilon });
        using var result = fgsm.Run(model, test.Features, AttackGoal.Untargeted(test.Labels), cancellationToken);
        var meanConfidence = Robustness.MeanConfidence(model, result.Adversarials, result.Success);

        var report = new ReproductionReport(Name);
        report.Setting["model"] = "softmax regression (784-10)";
        report.Setting["training"] = $"train-first10k, Adam lr 1e-3, {options.Epochs} epochs, batch {options.BatchSize}";
        report.Setting["epsilon"] = epsilon;
        report.Setting["samples"] = test.Count;
        report.Setting["seed"] = context.Seed;
        report.Metrics["clean_accuracy"] = clean;
        report.Metrics["error_rate"] = result.Metrics.SuccessRate;
        report.Metrics["mean_confidence"] = meanConfidence;
        report.Paper["error_rate"] = 0.999;
        report.Paper["mean_confidence"] = 0.793;
        report.Paper["source"] = "Goodfellow, Shlens, Szegedy, ICLR 2015, arXiv 1412.6572, Section 5";
        report.Evasion("softmax regression", fgsm, $"eps={epsilon}", "untargeted", result.Metrics, "99.9% error, mean confidence 0.793");
        return report;
    }
}
