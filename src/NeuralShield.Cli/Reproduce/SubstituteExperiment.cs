using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Reports;
using NeuralShield.Training;

namespace NeuralShield.Cli.Reproduce;

/// <summary>
/// Papernot et al., AsiaCCS 2017: a substitute trained by Jacobian-based dataset augmentation from 150 held-out seeds,
/// ρ = 6 rounds, λ = 0.1 (sign flipped every τ = 3 rounds), against the reproductions' shared LeNet-5 as a label-only
/// oracle; FGSM ε = 0.3 crafted on the substitute, judged on the oracle (paper: 84.24% after 6,400 queries).
/// </summary>
/// <remarks>
/// <c>--oracle model.onnx</c> (issue 10) needs the <c>OnnxClassifier</c> of the parallel ONNX work, which this branch does
/// not have; the oracle here is always the shared LeNet-5. Once it exists, <see cref="BlackBoxSupport.Substitute"/> takes any
/// <see cref="IClassifier"/> and needs no change.
/// </remarks>
internal sealed class SubstituteExperiment : IExperiment
{
    public string Name => "substitute";

    public string Description => "Papernot et al. 2017, Jacobian substitute (LeNet-5, 150 seeds, rho=6, lambda=0.1) vs the LeNet-5 oracle, FGSM eps=0.3 transfer";

    public ReproductionReport Run(ExperimentContext context, CancellationToken cancellationToken)
    {
        var (train, seeds, evaluated) = BlackBoxSupport.Mnist(context);
        using var _ = train;
        using var __ = seeds;
        using var ___ = evaluated;
        context.Log.WriteLine($"  oracle: LeNet-5, {ExperimentData.LeNet5Training}");
        using var oracle = ExperimentData.LeNet5(context, train, cancellationToken);
        var oracleAccuracy = Evaluation.Accuracy(oracle, evaluated);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var outcome = BlackBoxSupport.Substitute(context, oracle, seeds, evaluated, cancellationToken);
        using var extraction = outcome.Extraction;
        context.Log.WriteLine($"  transfer: FGSM eps={BlackBoxSupport.Epsilon} on the substitute, {outcome.Transfer.SuccessRate:P2} misclassified by the oracle ({watch.Elapsed.TotalSeconds:F0} s)");

        var report = new ReproductionReport(Name);
        report.Setting["oracle"] = "LeNet-5 (ReLU), the reproductions' shared model; label-only access";
        report.Setting["oracle_training"] = ExperimentData.LeNet5Training;
        BlackBoxSupport.DescribeSubstitute(report, extraction, seeds.Count, evaluated.Count);
        report.Setting["seed"] = context.Seed;
        report.Setting["onnx_oracle"] = "not available on this branch (needs OnnxClassifier)";
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
    public static (LabeledData Train, LabeledData Seeds, LabeledData Evaluated) Mnist(ExperimentContext context, int? defaultSamples = null)
    {
        var train = NeuralShield.Data.Mnist.Load(context.DataDirectory, MnistSplit.Train);
        using var allTest = NeuralShield.Data.Mnist.Load(context.DataDirectory, MnistSplit.Test);
        using var shuffled = allTest.Shuffle(unchecked(context.Seed * 7919 + 17));
        var seeds = shuffled.Slice(0, SeedCount);
        var available = shuffled.Count - SeedCount;
        var count = Math.Min(available, context.Samples ?? defaultSamples ?? available);
        var evaluated = shuffled.Slice(SeedCount, count);
        context.Log.WriteLine($"  MNIST: {train.Count} training images; {seeds.Count} test images drawn as the attacker's seeds, {evaluated.Count} other test images evaluated");
        return (train, seeds, evaluated);
    }

    /// <summary>Chooses the substitute's architecture: "lenet5" (default) or "mlp" (the reference tutorial's 784-200-200-10).</summary>
    public const string SubstituteVariable = "NEURALSHIELD_SUBSTITUTE";

    /// <summary>Chooses the differentiated output: "probabilities" (default, the paper's J_F) or "logits" (the tutorial's).</summary>
    public const string JacobianVariable = "NEURALSHIELD_JACOBIAN";

    public static bool LeNetSubstitute => Choice(SubstituteVariable, "lenet5", "mlp") == "lenet5";

    public static SubstituteGradient Gradient => Choice(JacobianVariable, "probabilities", "logits") == "logits" ? SubstituteGradient.Logits : SubstituteGradient.Probabilities;

    private static string Choice(string variable, string fallback, string other)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        text = text.Trim().ToLowerInvariant();
        if (text != fallback && text != other) throw new ArgumentOutOfRangeException(variable, text, $"Environment variable {variable} must be {fallback} or {other}.");
        return text;
    }

    /// <summary>The substitute's recipe: the reference tutorial's MLP 784-200-200-10 (or LeNet-5), 10 epochs per round, Adam 1e-3, batch 128.</summary>
    public static ModelRecipe Recipe(ExperimentContext context) => new()
    {
        Architecture = LeNetSubstitute ? s => ModelZoo.LeNet5(seed: s) : s => ModelZoo.Mlp(784, [200, 200], 10, Activation.ReLU, s),
        Training = new TrainingOptions { Epochs = 10, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed },
        Seed = unchecked(context.Seed + 1),
        Device = context.Device,
    };

    public static string RecipeName => LeNetSubstitute ? "LeNet-5 (ReLU)" : "MLP 784-200-200-10 (ReLU)";

    public sealed record Outcome(JacobianSubstituteResult Extraction, Metrics.EvasionMetrics Transfer, double TransferOnCorrect, double Agreement);

    /// <summary>Trains the substitute against <paramref name="oracle"/> from <paramref name="seeds"/> and measures FGSM's transfer on <paramref name="evaluated"/>.</summary>
    public static Outcome Substitute(ExperimentContext context, IClassifier oracle, LabeledData seeds, LabeledData evaluated, CancellationToken cancellationToken,
        IClassifier? queried = null)
    {
        var attack = new JacobianSubstitute(new JacobianSubstituteOptions
        {
            Rounds = Rounds, Lambda = 0.1, SignPeriod = 3, Substitute = Recipe(context), Seed = context.Seed, Gradient = Gradient,
            RoundEvaluation = m => Evaluation.Accuracy(m, evaluated),
        });
        var progress = new SynchronousProgress<string>(line => context.Log.WriteLine("  " + line));
        var extraction = attack.Extract(queried ?? oracle, seeds.Features.to(context.Device), new QueryBudget(Budget), progress, cancellationToken);
        try
        {
            var fgsm = new Fgsm(new FgsmOptions { Epsilon = Epsilon });
            var transfer = TransferEvaluation.Transfer(fgsm, extraction.Substitute, oracle, evaluated.Features, evaluated.Labels, 512, cancellationToken);
            // The share among the images the oracle classifies correctly.
            using var scope = TorchSharp.torch.NewDisposeScope();
            using var crafted = fgsm.Run(extraction.Substitute, evaluated.Features, AttackGoal.Untargeted(evaluated.Labels), new RunOptions { BatchSize = 512 }, cancellationToken);
            var clean = oracle.Predict(evaluated.Features.to(oracle.Device)).cpu().eq(evaluated.Labels);
            var fooled = oracle.Predict(crafted.Adversarials.to(oracle.Device)).cpu().ne(evaluated.Labels);
            var onCorrect = fooled.logical_and(clean).sum().item<long>() / (double)Math.Max(1, clean.sum().item<long>());
            var agreement = extraction.Substitute.Predict(evaluated.Features.to(extraction.Substitute.Device)).cpu()
                .eq(oracle.Predict(evaluated.Features.to(oracle.Device)).cpu()).to_type(TorchSharp.torch.ScalarType.Float64).mean().item<double>();
            return new Outcome(extraction, transfer, onCorrect, agreement);
        }
        catch
        {
            extraction.Dispose();
            throw;
        }
    }

    public static void DescribeSubstitute(ReproductionReport report, JacobianSubstituteResult extraction, int seeds, int evaluated)
    {
        report.Setting["substitute"] = $"{RecipeName}, retrained each round: 10 epochs, Adam lr 1e-3, batch 128";
        report.Setting["augmentation"] = $"Jacobian of the {(Gradient == SubstituteGradient.Logits ? "logit" : "softmax output")} of the oracle's label, lambda=0.1, sign flipped every 3 rounds, rho={Rounds}";
        report.Setting["seeds"] = $"{seeds} test images drawn at random by the seed";
        report.Setting["query_budget"] = Budget;
        report.Setting["stopped_by_budget"] = extraction.StoppedByBudget;
        report.Setting["attack"] = $"FGSM eps={Epsilon} on the substitute, untargeted; success = misclassified by the oracle";
        report.Setting["evaluated_samples"] = evaluated;
    }
}
