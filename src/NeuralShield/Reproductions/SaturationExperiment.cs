using NeuralShield.Attacks.Adaptive;
using NeuralShield.Evaluation;
using NeuralShield.Reports;
using NeuralShield.Attacks.Core;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Defenses.Training;
using static NeuralShield.Reproductions.DefenseExperimentSupport;

namespace NeuralShield.Reproductions;

/// <summary>
/// Nayebi and Ganguli 2017 (saturation penalty) against FGSM on MNIST, and Brendel and Bethge 2017's rebuttal: an
/// attack on a stabilised gradient (stable exact sigmoid derivative, logit-margin loss, PGD) restores the success.
/// Sigmoid MLP 784-200-200-10 (Brendel and Bethge reproduced the defense on an MLP).
/// </summary>
internal sealed class SaturationExperiment() : MnistReproduction(
    "saturation",
    "Nayebi & Ganguli 2017 saturation penalty vs FGSM eps=0.1; stabilised-gradient PGD (Brendel & Bethge 2017), transfer",
    defaultSamples: null)
{
    private const double Epsilon = 0.1;
    private const int PgdSteps = 40;
    private const double PgdStepSize = 0.01;

    /// <summary>The sigmoid MLP 784-200-200-10 the reproduction trains plain and saturated.</summary>
    internal static nn.Module<Tensor, Tensor> Architecture(long seed) => ModelZoo.Mlp(784, [200, 200], 10, Activation.Sigmoid, seed);

    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        var cuda = IsCuda(context);
        var epochs = context.Epochs ?? (cuda ? 60 : 30);
        var lambda = context.Lambda ?? 0.1;
        var attackSamples = context.Samples ?? 1000;

        TrainingOptions Options() => new() { Epochs = epochs, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed };

        context.Log.WriteLine($"  undefended sigmoid MLP 784-200-200-10, {epochs} epochs");
        using var undefended = CachedPlain(context, $"mlp200x2-sigmoid-plain-e{epochs}", Architecture, train, Options(), cancellationToken);

        context.Log.WriteLine($"  saturated sigmoid MLP, lambda {lambda} ramped linearly over {epochs / 2} epochs");
        var saturation = new Saturation(new SaturationOptions
        {
            Lambda = lambda,
            Recipe = new ModelRecipe { Architecture = Architecture, Training = Options(), Seed = context.Seed, Device = context.Device },
        });
        using var defended = new TorchClassifier(
            CachedDefense(context, $"mlp200x2-sigmoid-saturated-l{lambda}-e{epochs}", Architecture,
                () => saturation.Fit(train, null, Progress(context, "saturation"), cancellationToken)),
            10, InputBounds.Unit, ownsModule: true);

        PgdOptions Pgd(GradientLoss loss) => new() { Epsilon = Epsilon, StepSize = PgdStepSize, Steps = PgdSteps, RandomStart = true, Loss = loss, Seed = context.Seed };
        var evaluationOptions = new DefenseEvaluationOptions
        {
            Attack = new Fgsm(new FgsmOptions { Epsilon = Epsilon }),
            AdaptiveAttack = new Pgd(Pgd(GradientLoss.LogitMargin)),
            AdaptiveView = c => new StabilisedGradientClassifier(c),
            Goal = EvaluationGoal.Untargeted,
            AttackSamples = attackSamples,
        };
        var evaluation = DefenseEvaluation.Evaluate(defended, undefended, test, evaluationOptions, cancellationToken);
        Log(context, evaluation);

        // The same samples under iterative PGD on the true gradient, and FGSM through the stabilised backward pass.
        context.Log.WriteLine($"  PGD-{PgdSteps} on the true gradient; FGSM through the stabilised backward pass");
        var extraOptions = new DefenseEvaluationOptions
        {
            Attack = new Pgd(Pgd(GradientLoss.CrossEntropy)),
            AdaptiveAttack = new Fgsm(new FgsmOptions { Epsilon = Epsilon, Loss = GradientLoss.LogitMargin }),
            AdaptiveView = c => new StabilisedGradientClassifier(c),
            Goal = EvaluationGoal.Untargeted,
            AttackSamples = attackSamples,
        };
        var extra = DefenseEvaluation.Evaluate(defended, undefended, test, extraOptions, cancellationToken);
        Log(context, extra);

        // How saturated the network is, and how often the plain gradient is exactly zero.
        var (saturatedUnits, zeroGradients) = MeasureSaturation(defended, test, Math.Min(attackSamples, test.Count));
        var (plainSaturatedUnits, plainZeroGradients) = MeasureSaturation(undefended, test, Math.Min(attackSamples, test.Count));

        var report = new ReproductionReport(Name);
        report.Setting["model"] = "MLP 784-200-200-10, sigmoid hidden units";
        report.Setting["training"] = $"train-first10k, Adam lr 1e-3, batch 128, {epochs} epochs (undefended and saturated)";
        report.Setting["epochs"] = epochs;
        report.Setting["lambda"] = lambda;
        report.Setting["lambda_schedule"] = $"linear ramp: epoch e uses lambda*min(1, (e-1)/{epochs / 2})";
        report.Setting["penalty"] = "sum over hidden units of sigma(z)(1-sigma(z)), mean over the batch";
        report.Setting["epsilon"] = Epsilon;
        report.Setting["pgd_steps"] = PgdSteps;
        report.Setting["pgd_step_size"] = PgdStepSize;
        report.Setting["attack"] = "FGSM (cross-entropy), untargeted";
        report.Setting["adaptive_attack"] = $"PGD-{PgdSteps} (step {PgdStepSize}, random start) on the logit margin through the stabilised backward pass (exact sigmoid derivative from its logarithm, rescaled per sample and layer)";
        report.Setting["extra_attacks"] = $"PGD-{PgdSteps} on the cross-entropy (true gradient); FGSM on the logit margin through the stabilised backward pass";
        report.Setting["transfer_attack"] = "FGSM adversarials crafted on the undefended MLP";
        report.Setting["samples"] = "first correctly classified test images (by both models)";
        report.Setting["seed"] = context.Seed;
        Record(report, evaluation);
        report.Metrics["stabilised_fgsm_success_rate"] = extra.Adaptive.SuccessRate;
        report.Metrics["undefended_pgd_success_rate"] = extra.Undefended.SuccessRate;
        report.Metrics["defended_pgd_success_rate"] = extra.Defended.SuccessRate;
        report.Metrics["transfer_pgd_success_rate"] = extra.Transfer.SuccessRate;
        report.Metrics["saturated_unit_fraction"] = saturatedUnits;
        report.Metrics["zero_gradient_fraction"] = zeroGradients;
        report.Metrics["undefended_saturated_unit_fraction"] = plainSaturatedUnits;
        report.Metrics["undefended_zero_gradient_fraction"] = plainZeroGradients;
        report.Paper["source"] = "Nayebi & Ganguli 2017, arXiv 1703.09202; Brendel & Bethge 2017, arXiv 1704.01547 (stabilised gradients break it)";
        Records(report, evaluation, evaluationOptions, "sigmoid MLP", "sigmoid MLP saturated", $"FGSM, eps {Epsilon}");
        Records(report, extra, extraOptions, "sigmoid MLP", "sigmoid MLP saturated", $"PGD-{PgdSteps}, eps {Epsilon}");
        return report;
    }

    /// <summary>
    /// The share of hidden units in the saturated regime (ψ_c below 1e-3) on the first test images, and the share of those
    /// images whose cross-entropy input gradient is exactly zero.
    /// </summary>
    private static (double SaturatedUnits, double ZeroGradients) MeasureSaturation(TorchClassifier model, NeuralShield.Data.LabeledData test, int count)
    {
        using var scope = NewDisposeScope();
        var x = test.Features.narrow(0, 0, count).to(model.Device);
        var y = test.Labels.narrow(0, 0, count).to(model.Device);
        return (ActivationLayers.SaturatedFraction(model.Module, x), InputGradient.ZeroFraction(model, x, y));
    }
}
