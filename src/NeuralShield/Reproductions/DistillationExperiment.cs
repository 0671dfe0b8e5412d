using NeuralShield.Attacks.Adaptive;
using NeuralShield.Evaluation;
using NeuralShield.Reports;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Defenses.Training;
using static NeuralShield.Reproductions.DefenseExperimentSupport;

namespace NeuralShield.Reproductions;

/// <summary>
/// Papernot et al., S&amp;P 2016: defensive distillation at T = 100 against JSMA on MNIST (paper: 95.89% → 0.45%),
/// with the adaptive attack (JSMA-F on softmax(Z/T), the temperature-restored view) and a transfer attack from the
/// undefended model. CPU: LeNet-5; CUDA: the paper's 9-layer net (ModelZoo.DistillationCnn).
/// </summary>
internal sealed class DistillationExperiment() : MnistReproduction(
    "distillation",
    "Papernot et al. 2016, defensive distillation T=100 vs JSMA, adaptive JSMA on softmax(Z/T), transfer",
    defaultSamples: null)
{
    private const double Temperature = 100;
    private const double HotLearningRate = 5e-3;

    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        var cuda = IsCuda(context);
        var epochs = context.Epochs ?? (cuda ? 30 : 10);
        var attackSamples = context.Samples ?? 100;

        var modelName = cuda ? "distillation-cnn" : "lenet5";
        Func<long, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>> factory = cuda
            ? seed => ModelZoo.DistillationCnn(seed: seed)
            : seed => ModelZoo.LeNet5(seed: seed);
        TrainingOptions Options() => new() { Epochs = epochs, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed };
        // At T = 100 the logits must grow about T-fold to reach the same softmax(Z/T) confidence; Adam's step does not
        // scale with the gradient, so the teacher and the student get a 5x larger learning rate.
        TrainingOptions Hot() => new() { Epochs = epochs, BatchSize = 128, LearningRate = HotLearningRate, Seed = context.Seed };

        // On CPU the undefended model is the reproductions' shared LeNet-5 (Adam lr 1e-3, 10 epochs, batch 128).
        context.Log.WriteLine(cuda ? $"  undefended {modelName}, {epochs} epochs" : $"  undefended {modelName}: {ExperimentData.LeNet5Training}");
        using var undefended = cuda
            ? CachedPlain(context, $"{modelName}-plain-e{epochs}", factory, train, Options(), cancellationToken)
            : ExperimentData.LeNet5(context, train, cancellationToken, ExperimentData.LeNet5Epochs);

        context.Log.WriteLine($"  distilled {modelName}, T = {Temperature}, teacher and student {epochs} epochs each");
        var distillation = new DefensiveDistillation(new DefensiveDistillationOptions
        {
            Temperature = Temperature,
            Recipe = new ModelRecipe { Architecture = factory, Training = Hot(), Seed = context.Seed, Device = context.Device },
        });
        using var defended = new TorchClassifier(
            CachedDefense(context, $"{modelName}-distilled-T{Temperature}-lr{HotLearningRate}-e{epochs}", factory,
                () => distillation.Fit(train, null, Progress(context, "teacher/student"), cancellationToken)),
            10, InputBounds.Unit, ownsModule: true);

        var jsma = new Jsma(new JsmaOptions());
        var evaluationOptions = new DefenseEvaluationOptions
        {
            Attack = jsma,
            AdaptiveView = c => new TemperatureRestoredClassifier(c, Temperature),
            Goal = EvaluationGoal.AllOtherTargets,
            AttackSamples = attackSamples,
            BatchSize = 256,
        };
        var evaluation = DefenseEvaluation.Evaluate(defended, undefended, test, evaluationOptions, cancellationToken);
        Log(context, evaluation);

        var report = new ReproductionReport(Name);
        report.Setting["model"] = cuda ? "DistillationCnn (paper's Table I net), ReLU" : "LeNet-5 (ReLU), cheaper than the paper's net on CPU";
        report.Setting["temperature"] = Temperature;
        report.Setting["training"] = cuda
            ? $"train-first10k, batch 128, {epochs} epochs each; undefended Adam lr 1e-3; teacher and student (at T) Adam lr {HotLearningRate}"
            : $"train-first10k, batch 128; undefended {ExperimentData.LeNet5Training}; teacher and student (at T) Adam lr {HotLearningRate}, {epochs} epochs each";
        report.Setting["epochs"] = epochs;
        report.Setting["jsma_iteration_budget"] = Jsma.IterationBudget(784, 0.145);
        report.Setting["attack"] = "JSMA-F (softmax), pairwise, theta=+1, gamma=14.5%, every other class as target";
        report.Setting["adaptive_attack"] = $"JSMA-F on the temperature-restored view softmax(Z/{Temperature})";
        report.Setting["transfer_attack"] = "JSMA-F adversarials crafted on the undefended model";
        report.Setting["samples"] = "first correctly classified test images (by both models), x 9 targets";
        report.Setting["seed"] = context.Seed;
        Record(report, evaluation);
        report.Metrics["undefended_l0_fraction"] = evaluation.Undefended.MeanL0Fraction;
        report.Metrics["adaptive_l0_fraction"] = evaluation.Adaptive.MeanL0Fraction;
        report.Paper["undefended_success_rate"] = 0.9589;
        report.Paper["defended_success_rate"] = 0.0045;
        report.Paper["source"] = "Papernot, McDaniel, Wu, Jha, Swami, S&P 2016, arXiv 1511.04508, Section V (MNIST, T = 100)";
        Records(report, evaluation, evaluationOptions, modelName, $"{modelName} distilled (T = {Temperature})", "JSMA-F, theta=+1, gamma=14.5%",
            "0.45% JSMA success on the distilled net (95.89% undefended)");
        return report;
    }
}
