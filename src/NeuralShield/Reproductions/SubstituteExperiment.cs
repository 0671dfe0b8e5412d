using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Evaluation;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// Papernot et al., AsiaCCS 2017: a substitute trained by Jacobian-based dataset augmentation from 150 held-out seeds,
/// ρ = 6 rounds, λ = 0.1 (sign flipped every τ = 3 rounds), against a label-only oracle: the reproductions' shared LeNet-5,
/// or an ONNX model given by <c>--oracle</c> (e.g. the ONNX zoo's <c>mnist-8.onnx</c>); FGSM ε = 0.3 crafted on the
/// substitute, judged on the oracle (paper: 84.24% after 6,400 queries).
/// </summary>
internal sealed class SubstituteExperiment() : SubstituteReproduction(
    "substitute",
    "Papernot et al. 2017, Jacobian substitute (150 seeds, rho=6, lambda=0.1) vs the LeNet-5 oracle or an ONNX --oracle, FGSM eps=0.3 transfer")
{
    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData seeds, LabeledData evaluated, CancellationToken cancellationToken)
    {
        var blackBox = context.BlackBoxes is { Count: > 0 } given ? given[0] : null;
        IClassifier oracle;
        string oracleName;
        TorchClassifier? trained = null;
        if (blackBox is not null)
        {
            oracle = blackBox.Classifier;
            oracleName = $"{blackBox.Classifier} from {Path.GetFileName(blackBox.Path)}, pixels in [0, 1]; label-only access";
            context.Log.WriteLine($"  oracle: {blackBox.Classifier}");
        }
        else
        {
            context.Log.WriteLine($"  oracle: LeNet-5, {ExperimentData.LeNet5Training}");
            oracle = trained = ExperimentData.LeNet5(context, train, cancellationToken);
            oracleName = "LeNet-5 (ReLU), the reproductions' shared model; label-only access";
        }
        using var ____ = trained;
        var oracleAccuracy = ModelAccuracy.Of(oracle, evaluated);
        context.Log.WriteLine($"  oracle accuracy on the {evaluated.Count} evaluated images: {oracleAccuracy:P2}");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var outcome = BlackBoxSupport.Substitute(context, oracle, seeds, evaluated, cancellationToken);
        using var extraction = outcome.Extraction;
        context.Log.WriteLine($"  transfer: FGSM eps={BlackBoxSupport.Epsilon} on the substitute, {outcome.Transfer.SuccessRate:P2} misclassified by the oracle, " +
                              $"{outcome.TransferOnCorrect:P2} of those it classified correctly ({watch.Elapsed.TotalSeconds:F0} s)");

        var report = new ReproductionReport(Name);
        report.Setting["oracle"] = oracleName;
        if (blackBox is null) report.Setting["oracle_training"] = ExperimentData.LeNet5Training;
        else report.Setting["oracle_file"] = blackBox.Path;
        BlackBoxSupport.DescribeSubstitute(context, report, extraction, seeds.Count, evaluated.Count);
        report.Setting["seed"] = context.Seed;
        report.Metrics["transfer_success_rate"] = outcome.Transfer.SuccessRate;
        report.Metrics["transfer_success_rate_on_correct"] = outcome.TransferOnCorrect;
        report.Metrics["oracle_queries"] = extraction.OracleQueries;
        report.Metrics["substitute_accuracy"] = extraction.Rounds[^1].Evaluation ?? double.NaN;
        report.Metrics["oracle_accuracy"] = oracleAccuracy;
        report.Metrics["substitute_oracle_agreement"] = outcome.Agreement;
        foreach (var round in extraction.Rounds)
            report.Metrics[$"round{round.Round}.substitute_accuracy"] = round.Evaluation ?? double.NaN;
        report.Paper["transfer_success_rate"] = 0.8424;
        report.Paper["oracle_queries"] = 6400;
        report.Paper["source"] = "Papernot, McDaniel, Goodfellow, Jha, Celik, Swami, AsiaCCS 2017, arXiv 1602.02697, Section 4.1 (MetaMind oracle)";
        report.Extraction(blackBox is null ? "LeNet-5" : Path.GetFileName(blackBox.Path), outcome.Attack,
            $"{BlackBoxSupport.RecipeName(context)} substitute, {BlackBoxSupport.Budget} queries, then FGSM eps={BlackBoxSupport.Epsilon} from the substitute",
            outcome.Metrics(seeds.Count, evaluated.Count), "84.24% transfer with 6,400 queries (MetaMind oracle)");
        return report;
    }
}

/// <summary>What the black-box reproductions share: the seed/evaluation split of the test set and the substitute attack.</summary>
internal static class BlackBoxSupport
{
    /// <summary>The paper's seed set size.</summary>
    public const int SeedCount = 150;

    /// <summary>ρ.</summary>
    public const int Rounds = 6;

    /// <summary>The issue's query budget.</summary>
    public const long Budget = 6400;

    /// <summary>FGSM's ε.</summary>
    public const double Epsilon = 0.3;

    /// <summary>
    /// The training images, 150 seeds drawn at random (by the context's seed) from the test set, and the evaluated test
    /// images: the others, in the same random order (the first <c>--samples</c> of them when given).
    /// </summary>
    public static (LabeledData Train, LabeledData Seeds, LabeledData Evaluated) Mnist(ReproductionContext context, int? defaultSamples = null)
    {
        var train = ExperimentData.MnistTrain(context);
        using var allTest = NeuralShield.Data.Mnist.Load(context.DataDirectory, MnistSplit.Test);
        using var shuffled = allTest.Shuffle(unchecked(context.Seed * 7919 + 17));
        var seeds = shuffled.Slice(0, SeedCount);
        var available = shuffled.Count - SeedCount;
        var count = Math.Min(available, context.Samples ?? defaultSamples ?? available);
        var evaluated = shuffled.Slice(SeedCount, count);
        context.Log.WriteLine($"  MNIST: {train.Count} training images; {seeds.Count} test images drawn as the attacker's seeds, {evaluated.Count} other test images evaluated");
        return (train, seeds, evaluated);
    }

    /// <summary>The variants of the substitute recipe: substitute=lenet5|mlp (the tutorial's 784-200-200-10),
    /// jacobian=probabilities|logits, training=continue|retrain (from round to round), first-sign=negative|positive (of λ
    /// for the first τ rounds).</summary>
    public static IReadOnlyList<string> SubstituteVariants { get; } = ["substitute", "jacobian", "training", "first-sign"];

    public static SubstituteTraining Training(ReproductionContext context) =>
        context.Variant("training", "continue", "retrain") == "continue" ? SubstituteTraining.Continue : SubstituteTraining.Retrain;

    public static SubstituteStepSign FirstSign(ReproductionContext context) =>
        context.Variant("first-sign", "negative", "positive") == "negative" ? SubstituteStepSign.Negative : SubstituteStepSign.Positive;

    public static bool LeNetSubstitute(ReproductionContext context) => context.Variant("substitute", "lenet5", "mlp") == "lenet5";

    public static SubstituteGradient Gradient(ReproductionContext context) =>
        context.Variant("jacobian", "probabilities", "logits") == "logits" ? SubstituteGradient.Logits : SubstituteGradient.Probabilities;

    /// <summary>The substitute's recipe: LeNet-5 (or the reference tutorial's MLP 784-200-200-10), 10 epochs per round, Adam 1e-3, batch 128.</summary>
    public static ModelRecipe Recipe(ReproductionContext context) => new()
    {
        Architecture = LeNetSubstitute(context) ? s => ModelZoo.LeNet5(seed: s) : s => ModelZoo.Mlp(784, [200, 200], 10, Activation.ReLU, s),
        Training = new TrainingOptions { Epochs = context.Epochs ?? 10, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed },
        Seed = unchecked(context.Seed + 1),
        Device = context.Device,
    };

    public static string RecipeName(ReproductionContext context) => LeNetSubstitute(context) ? "LeNet-5 (ReLU)" : "MLP 784-200-200-10 (ReLU)";

    public sealed record Outcome(JacobianSubstitute Attack, JacobianSubstituteResult Extraction, Metrics.EvasionMetrics Transfer, double TransferOnCorrect, double Agreement,
        double SubstituteAccuracy, TimeSpan Elapsed)
    {
        /// <summary>The run in the audit's extraction metrics: seeds, queries, the substitute's accuracy and agreement, FGSM's transfer.</summary>
        public ExtractionMetrics Metrics(int seeds, int evaluated) =>
            new(seeds, Extraction.OracleQueries, Budget, evaluated, SubstituteAccuracy, Agreement, Transfer.SuccessRate, Elapsed);
    }

    /// <summary>Trains the substitute against <paramref name="oracle"/> from <paramref name="seeds"/> and measures FGSM's transfer on <paramref name="evaluated"/>.</summary>
    public static Outcome Substitute(ReproductionContext context, IClassifier oracle, LabeledData seeds, LabeledData evaluated, CancellationToken cancellationToken,
        IClassifier? queried = null)
    {
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions
        {
            Rounds = Rounds, Lambda = 0.1, SignPeriod = 3, Substitute = Recipe(context), Seed = context.Seed, Gradient = Gradient(context),
            Training = Training(context), FirstSign = FirstSign(context),
            RoundEvaluation = m => ModelAccuracy.Of(m, evaluated),
        });
        var progress = context.IndentedLog();
        var watch = Stopwatch.StartNew();
        var extraction = attack.Extract(queried ?? oracle, seeds.Features.to(context.Device), new QueryBudget(Budget), RunOptions.Reporting(progress), cancellationToken);
        try
        {
            var evaluation = ExtractionEvaluation.Evaluate(extraction.Substitute, oracle, evaluated, new Fgsm(new FgsmOptions { Epsilon = Epsilon }), 512, cancellationToken);
            var (transfer, onCorrect, agreement) = (evaluation.Transfer, evaluation.TransferOnCorrect, evaluation.Agreement);
            return new Outcome(attack, extraction, transfer, onCorrect, agreement, evaluation.SubstituteAccuracy, watch.Elapsed);
        }
        catch
        {
            extraction.Dispose();
            throw;
        }
    }

    public static void DescribeSubstitute(ReproductionContext context, ReproductionReport report, JacobianSubstituteResult extraction, int seeds, int evaluated)
    {
        report.Setting["substitute"] = $"{RecipeName(context)}, {(Training(context) == SubstituteTraining.Continue ? "trained on from round to round (the tutorial's)" : "retrained from scratch each round")}: " +
                                       "10 epochs per round, Adam lr 1e-3 (a fresh optimiser each round), batch 128";
        report.Setting["augmentation"] = $"Jacobian of the {(Gradient(context) == SubstituteGradient.Logits ? "logit" : "softmax output")} of the oracle's label, " +
                                         $"lambda={(FirstSign(context) == SubstituteStepSign.Negative ? "-0.1 after rounds 0-2, +0.1 after 3-4 (the tutorial's)" : "+0.1 after rounds 0-2, -0.1 after 3-4")}, rho={Rounds}";
        report.Setting["seeds"] = $"{seeds} test images drawn at random by the seed";
        report.Setting["query_budget"] = Budget;
        report.Setting["stopped_by_budget"] = extraction.StoppedByBudget;
        report.Setting["attack"] = $"FGSM eps={Epsilon} on the substitute, untargeted; success = misclassified by the oracle";
        report.Setting["evaluated_samples"] = evaluated;
    }
}
