using NeuralShield.Defenses.Training;
using NeuralShield.Reports;
using static NeuralShield.Reproductions.DefenseExperimentSupport;

namespace NeuralShield.Reproductions;

/// <summary>
/// Abadi et al. 2016, DP-SGD on MNIST: test accuracy at target ε = 2 (δ = 1e-5) and at other ε, with the noise
/// calibrated by the RDP accountant. A small tanh CNN (Papernot et al.'s "tempered sigmoid" setting; Opacus' MNIST
/// architecture) trained with Poisson-sampled lots of expected size 128, C = 1, plain SGD.
/// </summary>
internal sealed class DpSgdExperiment() : MnistReproduction(
    "dpsgd",
    "Abadi et al. 2016, DP-SGD on MNIST (tanh CNN, Poisson lots, RDP accountant), accuracy at eps=2 and other eps, delta=1e-5",
    defaultSamples: 10_000)
{
    private const double TargetEpsilon = 2.0;
    private const double Delta = 1e-5;
    private const int LotSize = 128;
    private const double ClipNorm = 1.0;
    private const double LearningRate = 0.3;
    private static readonly double[] OtherEpsilons = [1.0, 4.0];

    /// <summary>conv 16@8×8/2 (padding 3), tanh, max-pool 2/1, conv 32@4×4/2, tanh, max-pool 2/1, fc 32, tanh, fc 10.</summary>
    internal static nn.Module<Tensor, Tensor> Cnn(long seed)
    {
        random.manual_seed(seed);
        return nn.Sequential(
            ("conv1", nn.Conv2d(1, 16, 8, stride: 2, padding: 3)), ("act1", nn.Tanh()), ("pool1", nn.MaxPool2d(2, 1)),
            ("conv2", nn.Conv2d(16, 32, 4, stride: 2)), ("act2", nn.Tanh()), ("pool2", nn.MaxPool2d(2, 1)),
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(32 * 4 * 4, 32)), ("act3", nn.Tanh()),
            ("logits", nn.Linear(32, 10)));
    }

    /// <summary><c>--variant train=2500|5000</c>: every model trained on the first N training images only (how the accuracy at a given ε grows with the data).</summary>
    public override IReadOnlyList<string> VariantKeys => ["train"];

    protected override ReproductionReport Run(ReproductionContext context, LabeledData all, LabeledData test, CancellationToken cancellationToken)
    {
        using var fewer = context.FewerTrainingImages(all);
        var train = fewer ?? all;
        var epochs = context.Epochs ?? 20;
        var report = new ReproductionReport(Name);
        var total = Stopwatch.StartNew();

        DifferentiallyPrivateResult Fit(double epsilon)
        {
            var defense = new DifferentiallyPrivateTraining(new DifferentiallyPrivateTrainingOptions
            {
                Recipe = new ModelRecipe
                {
                    Architecture = Cnn,
                    Training = new TrainingOptions { Epochs = epochs, BatchSize = LotSize, LearningRate = LearningRate, Optimizer = OptimizerKind.Sgd, Momentum = 0, Seed = context.Seed },
                    Seed = context.Seed,
                    Device = context.Device,
                },
                ClipNorm = ClipNorm,
                TargetEpsilon = epsilon,
                Delta = Delta,
                NoiseSeed = context.Seed,
            });
            context.Log.WriteLine($"  DP-SGD target eps {epsilon}: sigma {defense.NoiseMultiplierFor(train.Count):F3}, {defense.Schedule(train.Count).Steps} steps");
            return defense.Fit(train, null, Progress(context, $"eps {epsilon}"), cancellationToken);
        }

        foreach (var epsilon in OtherEpsilons.Append(TargetEpsilon).Order())
        {
            var watch = Stopwatch.StartNew();
            using var result = Fit(epsilon);
            var accuracy = ModelAccuracy.Of(result.Classifier, test);
            var seconds = watch.Elapsed.TotalSeconds;
            var key = "points.eps_" + epsilon.ToString("0.###", CultureInfo.InvariantCulture);
            report.Metrics[key] = accuracy;
            report.Metrics[key + ".epsilon"] = result.Privacy.Epsilon;
            report.Metrics[key + ".noise_multiplier"] = result.NoiseMultiplier;
            report.Metrics[key + ".seconds"] = seconds;
            context.Log.WriteLine($"  target eps {epsilon}: eps {result.Privacy.Epsilon:F3} (order {result.Privacy.Order}), sigma {result.NoiseMultiplier:F3}, test accuracy {accuracy:P2} ({seconds:F0} s)");
            if (epsilon == TargetEpsilon)
            {
                report.Metrics["test_accuracy"] = accuracy;
                report.Metrics["epsilon"] = result.Privacy.Epsilon;
                report.Metrics["delta"] = Delta;
                report.Metrics["noise_multiplier"] = result.NoiseMultiplier;
                report.Metrics["steps"] = result.Steps;
                report.Setting["sampling_rate"] = result.SamplingRate;
            }
        }

        context.Log.WriteLine("  non-private baseline: the same CNN, plain SGD, same epochs and batch size");
        var plain = new ModelRecipe
        {
            Architecture = Cnn,
            Training = new TrainingOptions { Epochs = epochs, BatchSize = LotSize, LearningRate = 0.05, Optimizer = OptimizerKind.Sgd, Momentum = 0.9, Seed = context.Seed },
            Seed = context.Seed,
            Device = context.Device,
        };
        using (var baseline = plain.Train(train, cancellationToken: cancellationToken))
            report.Metrics["non_private_test_accuracy"] = ModelAccuracy.Of(baseline.Classifier, test);
        report.Metrics["wall_seconds"] = total.Elapsed.TotalSeconds;

        report.Setting["model"] = "CNN conv16 8x8/2 - tanh - pool 2/1 - conv32 4x4/2 - tanh - pool 2/1 - fc32 - tanh - fc10";
        report.Setting["training"] = $"{train.Count} MNIST training images, Poisson lots of expected size {LotSize}, {epochs} epochs, plain SGD lr {LearningRate}, C = {ClipNorm}";
        report.Setting["accountant"] = "RDP of the sampled Gaussian mechanism, improved conversion";
        report.Setting["test_samples"] = test.Count;
        report.Setting["seed"] = context.Seed;
        report.Paper["test_accuracy"] = 0.95;
        report.Paper["epsilon"] = 2.0;
        report.Paper["source"] = "Abadi et al., CCS 2016, arXiv 1607.00133, Section 5.2 (60k training images, PCA + MLP): 95% at eps = 2, 97% at eps = 8, delta = 1e-5";
        return report;
    }
}
