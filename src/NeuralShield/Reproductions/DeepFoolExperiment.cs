using NeuralShield.Reports;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Reproductions;

/// <summary>
/// Moosavi-Dezfooli et al. 2016: DeepFool (L2 and L∞) against LeNet-5 on MNIST test images; the paper's
/// robustness measure ρ̂_adv = mean ‖r̂(x)‖₂ / ‖x‖₂ (Table 1: LeNet on MNIST ≈ 0.2).
/// </summary>
internal sealed class DeepFoolExperiment() : MnistReproduction(
    "deepfool",
    "Moosavi-Dezfooli et al. 2016, DeepFool L2 and L-inf on LeNet-5, MNIST (rho_adv)",
    defaultSamples: 1_000)
{
    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        using var model = ExperimentData.LeNet5(context, train, cancellationToken);
        var clean = ModelAccuracy.Of(model, test);
        context.Log.WriteLine($"  LeNet-5 accuracy on the attacked images {clean:P2}");

        var report = new ReproductionReport(Name);
        report.Metrics["clean_accuracy"] = clean;
        using var x = test.Features.to(context.Device);
        using var y = test.Labels.to(context.Device);
        using var correct = model.Predict(x).eq(y);
        foreach (var norm in new[] { Norm.L2, Norm.LInf })
        {
            var options = new DeepFoolOptions { Norm = norm, Overshoot = 0.02, MaxIterations = 50, CandidateClasses = 10 };
            var deepFool = new DeepFool(options);
            using var result = deepFool.Run(model, x, AttackGoal.Untargeted(y), cancellationToken);
            // ρ̂_adv over the correctly classified images that DeepFool changed (the others need no perturbation).
            using var counted = result.Success.logical_and(correct);
            using var weights = counted.to_type(ScalarType.Float32);
            var n = weights.sum().item<float>();
            var rho = Robustness.RelativePerturbation(result.Adversarials, x, norm, counted);
            var suffix = norm == Norm.L2 ? "" : "_linf";
            using var correctCount = correct.to_type(ScalarType.Float32).sum();
            var distance = norm == Norm.L2 ? result.L2 : result.LInf;
            report.Metrics[$"success_rate{suffix}"] = n / correctCount.item<float>();
            report.Metrics[$"rho_adv{suffix}"] = rho;
            report.Metrics[norm == Norm.L2 ? "mean_l2" : "mean_linf"] = n == 0 ? double.NaN : (distance * weights).sum().item<float>() / n;
            report.Metrics[$"ms_per_image{suffix}"] = result.Metrics.Elapsed.TotalMilliseconds / test.Count;
            // The record counts every attacked image (a misclassified one is a success at distance 0), as the audit does.
            report.Evasion("LeNet-5", deepFool, $"{norm}, overshoot 0.02, 50 iterations", "untargeted", result.Metrics,
                norm == Norm.L2 ? "rho_adv 0.2 (LeNet, MNIST)" : null);
            context.Log.WriteLine($"  DeepFool {norm}: success {report.Metrics[$"success_rate{suffix}"]:P2} of the correctly classified images, "
                + $"rho_adv {rho:F4}, {result.Metrics.Elapsed.TotalSeconds:F1} s");
        }

        report.Setting["model"] = "LeNet-5 (conv 6@5x5, pool, conv 16@5x5, pool, fc 120-84-10)";
        report.Setting["training"] = ExperimentData.LeNet5Training;
        report.Setting["deepfool"] = "overshoot 0.02, 50 iterations, 10 candidate classes";
        report.Setting["samples"] = test.Count;
        report.Setting["seed"] = context.Seed;
        report.Paper["rho_adv"] = 0.2;
        report.Paper["source"] = "Moosavi-Dezfooli, Fawzi, Frossard, CVPR 2016, arXiv 1511.04599, Table 1 (LeNet, MNIST: rho_adv = 2.0e-1, 110 ms per image)";
        return report;
    }
}
