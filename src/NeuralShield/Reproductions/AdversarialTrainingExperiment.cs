using NeuralShield.Attacks;
using NeuralShield.Evaluation;
using NeuralShield.Reports;
using NeuralShield.Attacks.Core;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Defenses.Training;
using static NeuralShield.Reproductions.DefenseExperimentSupport;

namespace NeuralShield.Reproductions;

/// <summary>
/// Adversarial training of LeNet-5 on MNIST: Madry et al. 2018 (PGD adversarials only, ε = 0.3), evaluated against
/// PGD-40 (α = 0.01), a logit-margin PGD-40 and transfer from the undefended model; and Goodfellow et al. 2015
/// (FGSM mixed at α = 0.5, ε = 0.25), evaluated by the FGSM error before and after.
/// </summary>
internal sealed class AdversarialTrainingExperiment() : MnistReproduction(
    "adversarial-training",
    "Madry et al. 2018 PGD training (eps=0.3) vs PGD-40, and Goodfellow et al. 2015 FGSM training (eps=0.25), LeNet-5",
    defaultSamples: null)
{
    private const double PgdEpsilon = 0.3;
    private const double FgsmEpsilon = 0.25;
    private const int WarmupEpochs = 3;

    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        var cuda = IsCuda(context);
        var pgdEpochs = context.Epochs ?? (cuda ? 60 : 45);
        var fgsmEpochs = context.Epochs ?? (cuda ? 20 : 10);
        var trainSteps = context.TrainSteps ?? (cuda ? 40 : 7);
        var trainStepSize = cuda ? 0.01 : 2.5 * PgdEpsilon / trainSteps;
        var attackSamples = context.Samples ?? (cuda ? 10_000 : 1000);

        static nn.Module<Tensor, Tensor> Factory(long seed) => ModelZoo.LeNet5(seed: seed);
        ModelRecipe Recipe(int epochs) => new()
        {
            Architecture = Factory, Training = new() { Epochs = epochs, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed },
            Seed = context.Seed, Device = context.Device,
        };

        context.Log.WriteLine($"  undefended LeNet-5: {ExperimentData.LeNet5Training}");
        using var undefended = ExperimentData.LeNet5(context, train, cancellationToken, ExperimentData.LeNet5Epochs);

        context.Log.WriteLine($"  PGD-trained LeNet-5: eps {PgdEpsilon}, {trainSteps} steps of {trainStepSize:G3}, {pgdEpochs} epochs");
        var batchesPerEpoch = (train.Count + 127) / 128;
        var warmupEpochs = Math.Min(WarmupEpochs, pgdEpochs);
        var pgdOptions = AdversarialTrainingOptions.Pgd(Recipe(pgdEpochs), PgdEpsilon, trainStepSize, trainSteps, context.Seed, warmupEpochs * batchesPerEpoch);
        var pgdTraining = new AdversarialTraining(pgdOptions);
        using var pgdTrained = new TorchClassifier(
            CachedDefense(context, $"lenet5-pgd-eps{PgdEpsilon}-k{trainSteps}-w{warmupEpochs}-e{pgdEpochs}", Factory,
                () => pgdTraining.Fit(train, null, Progress(context, "PGD training"), cancellationToken)),
            10, InputBounds.Unit, ownsModule: true);

        context.Log.WriteLine($"  FGSM-trained LeNet-5: eps {FgsmEpsilon}, alpha 0.5, {fgsmEpochs} epochs");
        var fgsmOptions = AdversarialTrainingOptions.Fgsm(Recipe(fgsmEpochs), FgsmEpsilon);
        var fgsmTraining = new AdversarialTraining(fgsmOptions);
        using var fgsmTrained = new TorchClassifier(
            CachedDefense(context, $"lenet5-fgsm-eps{FgsmEpsilon}-e{fgsmEpochs}", Factory,
                () => fgsmTraining.Fit(train, null, Progress(context, "FGSM training"), cancellationToken)),
            10, InputBounds.Unit, ownsModule: true);

        PgdOptions Pgd40(GradientLoss loss) => new() { Epsilon = PgdEpsilon, StepSize = 0.01, Steps = 40, RandomStart = true, Loss = loss, Seed = context.Seed };
        // Every sample attacked (a misclassified one counts as a success), the adaptive attack on the defended model itself.
        DefenseEvaluationOptions Evaluation(IEvasionAttack<IDifferentiableClassifier> attack, IEvasionAttack<IDifferentiableClassifier> adaptive) => new()
        {
            Attack = attack,
            AdaptiveAttack = adaptive,
            Goal = EvaluationGoal.Untargeted,
            AttackSamples = attackSamples,
            OnlyCorrectlyClassified = false,
        };
        context.Log.WriteLine($"  PGD-40 (eps {PgdEpsilon}, step 0.01) on the first {attackSamples} test images");
        var pgdEvaluation = Evaluation(new Pgd(Pgd40(GradientLoss.CrossEntropy)), new Pgd(Pgd40(GradientLoss.LogitMargin)));
        var pgd = DefenseEvaluation.Evaluate(pgdTrained, undefended, test, pgdEvaluation, cancellationToken);
        Log(context, pgd);

        context.Log.WriteLine($"  FGSM (eps {FgsmEpsilon}) on the first {attackSamples} test images");
        var fgsmEvaluation = Evaluation(new Fgsm(new FgsmOptions { Epsilon = FgsmEpsilon }), new Pgd(Pgd40(GradientLoss.CrossEntropy)));
        var fgsm = DefenseEvaluation.Evaluate(fgsmTrained, undefended, test, fgsmEvaluation, cancellationToken);
        Log(context, fgsm);

        var report = new ReproductionReport(Name);
        report.Setting["model"] = "LeNet-5 (ReLU)";
        report.Setting["training"] = $"train-first10k, Adam lr 1e-3, batch 128; undefended: the shared LeNet-5, {ExperimentData.LeNet5Training}";
        report.Setting["pgd_training"] = $"PGD adversarials only, eps {PgdEpsilon}, {trainSteps} steps of {trainStepSize:G3}, random start, {pgdEpochs} epochs, eps (and step) ramped linearly over the first {warmupEpochs} epochs";
        report.Setting["fgsm_training"] = $"0.5 clean + 0.5 FGSM loss, eps {FgsmEpsilon}, {fgsmEpochs} epochs";
        report.Setting["epochs"] = new { undefended = 10, pgd = pgdEpochs, fgsm = fgsmEpochs };
        report.Setting["train_steps"] = trainSteps;
        report.Setting["train_step_size"] = trainStepSize;
        report.Setting["warmup_epochs"] = warmupEpochs;
        report.Setting["attack_steps"] = 40;
        report.Setting["attack_step_size"] = 0.01;
        report.Setting["attack"] = "PGD-40, eps 0.3, step 0.01, random start, cross-entropy, untargeted, all samples";
        report.Setting["adaptive_attack"] = "PGD-40 on the logit margin (Carlini-Wagner loss)";
        report.Setting["transfer_attack"] = "PGD-40 adversarials crafted on the undefended LeNet-5";
        report.Setting["samples"] = "first test images, whatever their clean label (success = misclassified after the attack)";
        report.Setting["seed"] = context.Seed;
        Record(report, pgd);
        report.Metrics["robust_accuracy"] = 1 - pgd.Defended.SuccessRate;
        report.Metrics["adaptive_robust_accuracy"] = 1 - pgd.Adaptive.SuccessRate;
        report.Metrics["fgsm_trained_clean_accuracy"] = fgsm.DefendedAccuracy;
        report.Metrics["fgsm_error_undefended"] = fgsm.Undefended.SuccessRate;
        report.Metrics["fgsm_error_fgsm_trained"] = fgsm.Defended.SuccessRate;
        report.Metrics["fgsm_trained_pgd40_error"] = fgsm.Adaptive.SuccessRate;
        report.Paper["robust_accuracy"] = "~0.89 (large CNN, 60k images, PGD-100)";
        report.Paper["fgsm_error_undefended"] = 0.894;
        report.Paper["fgsm_error_fgsm_trained"] = 0.179;
        report.Paper["source"] = "Madry et al., ICLR 2018, arXiv 1706.06083; Goodfellow et al., ICLR 2015, arXiv 1412.6572 (maxout network)";
        Records(report, pgd, pgdEvaluation, "LeNet-5", "LeNet-5 PGD-trained", $"PGD-40, eps {PgdEpsilon}, step 0.01, random start",
            "about 89% robust accuracy (large CNN, 60k images, PGD-100)");
        Records(report, fgsm, fgsmEvaluation, "LeNet-5", "LeNet-5 FGSM-trained", $"FGSM, eps {FgsmEpsilon}", "17.9% FGSM error (maxout network)");
        return report;
    }
}
