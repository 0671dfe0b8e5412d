using System.Text.RegularExpressions;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Data;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Reports;
using NeuralShield.Reproductions;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Reproductions;

/// <summary>
/// How each reproduction runs small in the tests, and the sanity bound its small run must pass. The bounds are the
/// papers' qualitative claims (an attack beats random noise, a defense lowers the attack's success, an adaptive attacker
/// restores it, ε is monotone...), loose enough for the small models, each one a wrong implementation would miss.
/// </summary>
internal static partial class SmallReproductionSettings
{
    /// <summary>
    /// The size every small run shares unless it says otherwise: 3,000 training images, 5 epochs (so that the shared
    /// LeNet-5, softmax regression and MLP train once per test run and reach about 90%).
    /// </summary>
    private static ReproductionContext Base(ReproductionContext c) => c with { TrainSamples = 3000, Epochs = 5, Samples = 200 };

    /// <summary>Reproductions that run in the Slow category (still run, never skipped; see each setting for why).</summary>
    public static IReadOnlySet<string> Heavy { get; } = new HashSet<string>(StringComparer.Ordinal) { "poisoning", "backdoor-detection", "membership", "detector" };

    public static IReadOnlyDictionary<string, SmallSetting> All { get; } = new Dictionary<string, SmallSetting>(StringComparer.Ordinal)
    {
        ["fgsm"] = new(c => Base(c) with { Samples = 500 }, (r, c) =>
        {
            Above(r, "clean_accuracy", 0.8);
            Above(r, "error_rate", 0.9);
            // Random ±ε sign noise on the same model and images: FGSM must do far better.
            var random = RandomSignError(c, "softmax-regression", ModelZoo.SoftmaxRegression(784, 10, c.Seed), 0.25);
            Assert.True(M(r, "error_rate") > random + 0.3, $"FGSM error {M(r, "error_rate"):F3} vs random sign noise {random:F3}");
            Assert.InRange(M(r, "mean_confidence"), 0.1, 1.0);
        }),
        ["deepfool"] = new(c => Base(c) with { Samples = 100 }, (r, _) =>
        {
            Above(r, "clean_accuracy", 0.8);
            Above(r, "success_rate", 0.95);
            Above(r, "success_rate_linf", 0.95);
            // Minimal perturbations: well under the image's norm (paper 0.2), far from zero.
            Assert.InRange(M(r, "rho_adv"), 0.03, 0.5);
            Assert.InRange(M(r, "mean_linf"), 0.01, 0.5);
            Assert.InRange(M(r, "rho_adv_linf") / M(r, "mean_linf"), 0.99, 1.05); // ‖x‖∞ is 1 (or just under) on MNIST images
        }),
        ["jsma"] = new(c => Base(c) with { TrainSamples = 1500, Epochs = 3, Samples = 2 }, (r, _) =>
        {
            Above(r, "clean_accuracy", 0.8);
            Above(r, "success_rate", 0.5);
            // A success never changes more than γ = 14.5% of the pixels.
            Assert.InRange(M(r, "mean_l0_fraction"), 1e-3, 0.145);
            Assert.InRange(M(r, "z_mean_l0_fraction"), 1e-3, 0.145);
        }),
        ["universal"] = new(c => Base(c) with { Samples = 60, Iterations = 3 }, (r, _) =>
        {
            Above(r, "clean_accuracy", 0.8);
            // One perturbation for all images: fooling grows with the radius, and the norm stays within it.
            foreach (var kind in new[] { "", "optimised_" })
            {
                Assert.True(M(r, $"fooling_rate_{kind}xi_0.1") < M(r, $"fooling_rate_{kind}xi_0.3"), $"{kind}fooling rate not increasing in xi");
                Assert.True(M(r, $"fooling_rate_{kind}xi_0.2") <= M(r, $"fooling_rate_{kind}xi_0.3") + 0.05, $"{kind}fooling rate not increasing in xi");
            }
            Assert.Equal(M(r, "fooling_rate"), M(r, "fooling_rate_xi_0.3"));
            Assert.InRange(M(r, "linf_norm"), 0.0, 0.3 + 1e-6);
            Assert.InRange(M(r, "linf_norm_optimised"), 0.0, 0.3 + 1e-6);
            Above(r, "fooling_rate", 0.3);
        }),
        ["fooling"] = new(c => Base(c) with { Iterations = 20 }, (r, _) =>
        {
            Above(r, "clean_accuracy", 0.8);
            // Gradient ascent from noise reaches near-certain confidence for every digit (the evolutions are capped at 20 generations).
            Above(r, "min_confidence_gradient", 0.95);
            Assert.Equal(Math.Min(M(r, "min_confidence_gradient"), M(r, "min_confidence_evolutionary")), M(r, "min_confidence"));
            Assert.InRange(M(r, "classes_fooled"), 0, 10);
            Assert.True(M(r, "generations_evolutionary") <= 20 && M(r, "generations_map_elites") <= 20, "more generations than asked");
        }),
        ["transfer"] = new(c => Base(c) with { Samples = 100 }, (r, _) =>
        {
            // Issue 10: the gradient-masking flag is raised on the distilled model, and only there.
            Assert.Equal(1, M(r, "masking_flags.lenet5_distilled"));
            foreach (var model in new[] { "softmax", "mlp", "lenet5" }) Assert.Equal(0, M(r, $"masking_flags.{model}"));
            Above(r, "matrix.lenet5.lenet5", 0.9);
            Assert.True(M(r, "matrix.lenet5.lenet5_distilled") > M(r, "matrix.lenet5_distilled.lenet5_distilled") + 0.3, "distilled model's white-box FGSM not masked");
            Above(r, "matrix.substitute_of_lenet5.lenet5", 0.5);
        }),
        ["substitute"] = new(c => Base(c) with { Samples = 300 }, (r, _) =>
        {
            Above(r, "oracle_accuracy", 0.8);
            // Jacobian augmentation: the substitute learns the oracle round by round, and its FGSM transfers.
            Assert.True(M(r, "round5.substitute_accuracy") > M(r, "round0.substitute_accuracy") + 0.2, "no gain from the augmentation rounds");
            Above(r, "substitute_oracle_agreement", 0.6);
            Above(r, "transfer_success_rate", 0.5);
            Assert.InRange(M(r, "oracle_queries"), 150, 6400);
        }),
        // Slow: three substitute trainings whose query streams (4,800 queries each, fixed by the paper's 150 seeds and
        // 6 rounds) and 30 JSMA streams are replayed through eight detector variants; 29 s at 400 images.
        ["detector"] = new(c => Base(c) with { Samples = 331, Epochs = 1 }, (r, _) =>
        {
            // The paper's detector flags the attack streams far more often than the benign one.
            Assert.True(M(r, "detection_rate") > M(r, "false_positive_rate") + 0.5, "detector does not separate attack streams from benign queries");
            Assert.True(M(r, "false_positive_rate") < 0.2, "benign stream flagged too often");
        }),
        ["distillation"] = new(c => Base(c) with { TrainSamples = 2000, Samples = 30, Epochs = 3 }, (r, _) =>
        {
            Above(r, "undefended_clean_accuracy", 0.8);
            Above(r, "clean_accuracy", 0.6);
            // Papernot et al.: JSMA fails on the distilled model; Carlini & Wagner: the adaptive attack still succeeds.
            Above(r, "undefended_success_rate", 0.6);
            Assert.True(M(r, "defended_success_rate") < M(r, "undefended_success_rate") - 0.3, "distillation does not lower JSMA's success");
            Assert.True(M(r, "adaptive_success_rate") > M(r, "defended_success_rate") + 0.3, "the adaptive attack does not restore the success");
        }),
        ["saturation"] = new(c => Base(c) with { Samples = 100, Epochs = 30 }, (r, _) =>
        {
            Above(r, "undefended_clean_accuracy", 0.8);
            Above(r, "clean_accuracy", 0.5);
            // Nayebi & Ganguli: the penalty saturates the units.
            Assert.True(M(r, "saturated_unit_fraction") > M(r, "undefended_saturated_unit_fraction"), "the penalty does not saturate units");
            Assert.True(M(r, "defended_success_rate") < M(r, "undefended_success_rate"), "saturation does not lower FGSM's success");
        }),
        ["adversarial-training"] = new(c => Base(c) with { TrainSamples = 2000, Samples = 50, Epochs = 3, TrainSteps = 5 }, (r, _) =>
        {
            Above(r, "undefended_clean_accuracy", 0.6);
            // Madry et al.: PGD training buys robust accuracy the plain model lacks; FGSM training lowers FGSM's error.
            Assert.True(M(r, "robust_accuracy") > 1 - M(r, "undefended_success_rate") + 0.1, "PGD training buys no robustness");
            Assert.True(M(r, "fgsm_error_fgsm_trained") < M(r, "fgsm_error_undefended") - 0.1, "FGSM training does not lower FGSM's error");
            Assert.Equal(1 - M(r, "defended_success_rate"), M(r, "robust_accuracy"), 1e-9);
        }),
        ["dpsgd"] = new(c => Base(c) with { Epochs = 2, Samples = 1000 }, (r, _) =>
        {
            // The accountant: each run spends at most its target ε; more privacy needs more noise.
            foreach (var eps in new[] { 1, 2, 4 }) Assert.InRange(M(r, $"points.eps_{eps}.epsilon"), 0.9 * eps, eps + 1e-6);
            Assert.True(M(r, "points.eps_1.noise_multiplier") > M(r, "points.eps_2.noise_multiplier"));
            Assert.True(M(r, "points.eps_2.noise_multiplier") > M(r, "points.eps_4.noise_multiplier"));
            Above(r, "test_accuracy", 0.3);
            Above(r, "non_private_test_accuracy", 0.7);
            Assert.Equal(M(r, "points.eps_2"), M(r, "test_accuracy"));
        }),
        // Slow: nine sets of shadows (the overfit target, each training defense, the generalising target) and every
        // attack on each; 50 s at Shadows = 2 on the 2-core machine.
        ["membership"] = new(c => Base(c) with { Shadows = 1, Epochs = 10 }, (r, _) =>
        {
            Assert.True(M(r, "train_accuracy") > M(r, "test_accuracy") + 0.05, "the overfit target does not overfit");
            Above(r, "auc", 0.55);
            Above(r, "loss_threshold_auc", 0.55);
            Assert.True(M(r, "generalising.auc") < M(r, "auc"), "the generalising target leaks more than the overfit one");
        }),
        ["lira"] = new(c => Base(c) with { Shadows = 4, Epochs = 15 }, (r, _) =>
        {
            Assert.True(M(r, "generalisation_gap") > 0.05, "the target does not overfit");
            // On an overfit target LiRA is well above chance (and above the loss threshold attack).
            Above(r, "auc", 0.6);
            Above(r, "offline.auc", 0.55);
            Assert.True(M(r, "auc") > M(r, "loss_threshold_auc"), "LiRA below the loss threshold attack");
            Assert.Equal(4, M(r, "shadow_models"));
        }),
        ["property"] = new(c => c with { Shadows = 10, Epochs = 5 }, (r, _) =>
        {
            // Ganju et al.: the meta-classifier tells 80% from 20% women on fresh targets better than chance.
            Above(r, "target_accuracy", 0.6);
            Above(r, "targets_test_accuracy", 0.7);
        }),
        // Slow: about 40 LeNet-5 trainings (label flips at six rates, four runs of each sanitization, cosine schedules,
        // backdoors) plus k-NN sanitization and on-line poisoning; 107 s at 3,000 images and 3 epochs, 80 s at this setting.
        ["poisoning"] = new(c => Base(c) with { TrainSamples = 1500, Samples = 300, Epochs = 4 }, (r, _) =>
        {
            Above(r, "clean_accuracy", 0.6);
            // Flipping 40% of class 7 to 1 costs class 7 much of its accuracy; the validation gate makes on-line poisoning no easier.
            Assert.True(M(r, "label_flip.targeted.40.source_class_accuracy") < M(r, "label_flip.targeted.0.source_class_accuracy") - 0.2, "targeted flips do not hurt the source class");
            Assert.True(M(r, "online.points_to_flip.none") <= M(r, "online.points_to_flip.validation_gate"), "the validation gate makes poisoning easier");
            Assert.True(M(r, "label_flip.random.40") < M(r, "label_flip.random.0"), "40% random flips cost no accuracy");
            // 20% of the labels are flipped: flagging at random has precision 0.2; the k-NN sanitizer must do far better.
            Above(r, "sanitization.knn.precision", 0.4);
            // What each cleaned set still gets wrong, against its flags: relabelling keeps every point; a removing sanitizer
            // keeps exactly the flips it misses (300 × (1 − recall)) and loses its false flags (true flags / precision − true flags).
            Assert.Equal(1500, M(r, "sanitization.knn.points_left"));
            Assert.Equal(0, M(r, "sanitization.knn.clean_points_removed"));
            foreach (var name in new[] { "knn_penultimate_remove", "loss" })
            {
                var found = 300 * M(r, $"sanitization.{name}.recall");
                var flagged = found / M(r, $"sanitization.{name}.precision");
                Assert.Equal(300 - found, M(r, $"sanitization.{name}.wrong_labels_left"), 1e-6);
                Assert.Equal(flagged - found, M(r, $"sanitization.{name}.clean_points_removed"), 1e-6);
                Assert.Equal(1500 - flagged, M(r, $"sanitization.{name}.points_left"), 1e-6);
            }
            // The vote's cost on the clean set, from the means it is defined by.
            var restorable = M(r, "sanitization.oracle_remove.restored_accuracy_mean") - M(r, "sanitization.poisoned_accuracy_mean");
            if (restorable > 0)
                Assert.Equal((M(r, "sanitization.clean_accuracy_mean") - M(r, "sanitization.knn_on_clean_set.low_support.accuracy_mean")) / restorable,
                    M(r, "sanitization.knn_on_clean_set.low_support.cost_share_of_oracle"), 1e-9);
        }),
        // Slow: the backdoored model, six clusterings and a retraining per sanitizer; 46 s at the base size.
        ["backdoor-detection"] = new(c => Base(c) with { TrainSamples = 1500, Samples = 300, Epochs = 8 }, (r, c) =>
        {
            Above(r, "clean_accuracy", 0.7);
            // BadNets: the trigger sends far more images to the target class on the backdoored model than on the clean one
            // (the reproduction's shared LeNet-5, measured here with the same trigger).
            using var clean = Cached(c, $"lenet5-adam-lr1e-3-e{c.Epochs}-b128", ModelZoo.LeNet5(10, 1, Activation.ReLU, c.Seed), [1, 28, 28]);
            using var test = FirstTestImages(c);
            var trigger = BackdoorTrigger.Square([1, 28, 28], size: 3, value: 1f, margin: 1);
            var cleanSuccess = PoisoningMeasures.BackdoorSuccessRate(clean, test, trigger.Stamp, targetClass: 0);
            Assert.True(M(r, "backdoor.success_rate") > cleanSuccess + 0.1, $"backdoor success {M(r, "backdoor.success_rate"):F3} vs {cleanSuccess:F3} on the clean model");
            Assert.True(M(r, "backdoor.clean_accuracy") > M(r, "clean_accuracy") - 0.1, "the backdoor costs too much clean accuracy");
        }),
        ["keyed-transform"] = new(c => Base(c) with { Samples = 300, Epochs = 3 }, (r, _) =>
        {
            Above(r, "clean_accuracy_plain", 0.8);
            Above(r, "clean_accuracy_keyed", 0.5);
            // The keyed deployment resists transfer from a substitute and from the plain model.
            Assert.True(M(r, "transfer_success_rate_keyed") < M(r, "transfer_success_rate_plain") - 0.2, "keying does not lower the transfer");
            Assert.True(M(r, "transfer_success_rate_keyed_from_plain_model") < M(r, "transfer_success_rate_plain"), "the plain model transfers to the keyed one as well as to itself");
        }),
        ["interruptibility"] = new(c => c with { Samples = 3 }, (r, _) =>
        {
            // Orseau & Armstrong: SARSA learns to press the button, Q-learning and safe SARSA do not.
            Assert.True(M(r, "gridworld.sarsa.greedy_button_rate") > M(r, "gridworld.qlearning.greedy_button_rate"));
            Assert.True(M(r, "gridworld.sarsa.greedy_button_rate") > M(r, "gridworld.safe_sarsa.greedy_button_rate"));
            Assert.Equal(21, M(r, "gridworld.qlearning.hidden_performance"), 1e-9);
        }),
        ["learnability"] = new(c => c with { Samples = 2000 }, (r, _) =>
        {
            // An HMAC bit: a network fits the training pairs but is at chance on held-out ones.
            Assert.InRange(M(r, "hmac.accuracy"), 0.45, 0.55);
        }, k => LearningCurvePoint().IsMatch(k)),
        ["autoattack"] = new(c => Base(c) with { Samples = 40, Variants = new Dictionary<string, string> { ["model"] = "plain" } }, (r, _) =>
        {
            AutoAttackCheck(r);
        }),
        ["square"] = new(c => Base(c) with { Samples = 40, Variants = new Dictionary<string, string> { ["model"] = "plain", ["queries"] = "300" } }, (r, _) =>
        {
            SquareCheck(r);
        }),
        ["cw"] = new(c => Base(c) with { Samples = 10, Iterations = 300, Variants = new Dictionary<string, string> { ["model"] = "plain" } }, (r, _) =>
        {
            CarliniWagnerCheck(r);
        }),
        ["hopskipjump"] = new(c => Base(c) with { Samples = 6 }, (r, _) =>
        {
            HopSkipJumpCheck(r);
        }),
        ["recording"] = new(c => c with { TrainSamples = 4000, Epochs = 2 }, (r, _) =>
        {
            // Carlini et al.: a canary repeated often in a non-private learner's stream is exposed far above the secrets
            // never inserted; DP-SGD keeps it near them. The same holds off-line (canaries in the training set).
            Assert.True(M(r, "online.sgd.r64.canary_exposure") > M(r, "online.sgd.r64.baseline_exposure") + 1,
                $"on-line exposure {M(r, "online.sgd.r64.canary_exposure"):F2} vs baseline {M(r, "online.sgd.r64.baseline_exposure"):F2}");
            Assert.True(M(r, "online.sgd.r64.canary_exposure") > M(r, "online.dpsgd.r64.canary_exposure") + 1);
            Assert.True(M(r, "offline.sgd.canary_exposure") > M(r, "offline.dpsgd.canary_exposure") + 1);
            Assert.InRange(M(r, "online.dpsgd.r64.epsilon_per_canary"), M(r, "online.dpsgd.r1.epsilon_per_canary"), double.PositiveInfinity);
        }, k => UpdateCurvePoint().IsMatch(k)),
    };

    /// <summary>
    /// Croce and Hein: each member runs on the samples still robust, so robust accuracy never rises from member to member,
    /// the reported robust accuracy is the last (the worst case per sample), and an undefended LeNet-5 at ε = 0.3 is broken.
    /// </summary>
    private static void AutoAttackCheck(ReproductionReport r)
    {
        Above(r, "clean_accuracy", 0.8);
        var members = new[] { "APGD-CE", "APGD-T", "FAB-T", "Square L∞" }.Select(m => M(r, "robust_accuracy_after." + m)).ToArray();
        Assert.True(members[0] <= M(r, "clean_accuracy"));
        for (var i = 1; i < members.Length; i++) Assert.True(members[i] <= members[i - 1], $"member {i} raised robust accuracy: {string.Join(", ", members)}");
        Assert.Equal(members[^1], M(r, "robust_accuracy"), 12);
        Assert.True(members[0] < 0.2, $"APGD-CE left {members[0]:P1} robust on an undefended LeNet-5 at eps 0.3");
    }

    /// <summary>Andriushchenko et al.: the score-only random search fools an undefended LeNet-5 at ε = 0.3 within its query budget.</summary>
    private static void SquareCheck(ReproductionReport r)
    {
        Above(r, "clean_accuracy", 0.8);
        Above(r, "success_rate", 0.9);
        Assert.InRange(M(r, "median_queries"), 1, 300);
        Assert.InRange(M(r, "mean_queries"), M(r, "median_queries") / 10, 300);
    }

    /// <summary>
    /// Carlini and Wagner: the L2 attack fools every correctly classified image of an undefended LeNet-5, with distances of
    /// the MNIST scale (paper: mean 1.36–2.16 targeted; a zero or a several-unit distance would be a broken search).
    /// </summary>
    private static void CarliniWagnerCheck(ReproductionReport r)
    {
        Above(r, "clean_accuracy", 0.8);
        Above(r, "success_rate", 0.99);
        Assert.InRange(M(r, "mean_l2"), 0.3, 3.0);
        Assert.InRange(M(r, "median_l2"), 0.3, 3.0);
    }

    /// <summary>
    /// Chen et al.: the label-only attack fools every correctly classified image and more queries bring it closer (the
    /// median L2 after 5,000 queries is below that after 1,000), toward the white-box minimal perturbation of DeepFool.
    /// </summary>
    private static void HopSkipJumpCheck(ReproductionReport r)
    {
        Above(r, "clean_accuracy", 0.8);
        Above(r, "q1000.success_rate", 0.99);
        Above(r, "q5000.success_rate", 0.99);
        Assert.True(M(r, "q5000.median_l2") < M(r, "q1000.median_l2"), "5,000 queries do not improve on 1,000");
        Assert.InRange(M(r, "q1000.mean_queries"), 100, 1000);
        Assert.InRange(M(r, "q5000.mean_queries"), 1000, 5000);
        // Decision-based: never below the white-box minimum by much, and within a small factor of it after 5,000 queries.
        Assert.InRange(M(r, "q5000.median_l2") / M(r, "deepfool.median_l2"), 0.5, 3.0);
        // Brendel et al.: the random walk along the boundary also gets closer with more queries, and HopSkipJump's estimated gradient is no worse.
        Above(r, "boundary.q5000.success_rate", 0.99);
        Assert.True(M(r, "boundary.q5000.median_l2") < M(r, "boundary.q1000.median_l2"), "the Boundary attack does not improve with 5,000 queries");
        Assert.True(M(r, "q5000.median_l2") < M(r, "boundary.q5000.median_l2") * 1.1, "HopSkipJump is not closer than the Boundary attack");
    }

    /// <summary>The metric, asserting it is there and finite.</summary>
    private static double M(ReproductionReport report, string key)
    {
        Assert.True(report.Metrics.TryGetValue(key, out var value), $"metric {key} missing");
        Assert.True(double.IsFinite(value), $"metric {key} is {value}");
        return value;
    }

    private static void Above(ReproductionReport report, string key, double bound) =>
        Assert.True(M(report, key) > bound, $"{key} = {M(report, key):F4}, expected above {bound}");

    /// <summary>
    /// Error rate of the cached model <paramref name="key"/> (the reproduction's, loaded from the test cache) on the first
    /// <see cref="ReproductionContext.Samples"/> test images under uniform random ±<paramref name="epsilon"/> sign noise.
    /// </summary>
    private static double RandomSignError(ReproductionContext context, string key, nn.Module<Tensor, Tensor> module, double epsilon)
    {
        using var model = Cached(context, key, module);
        using var test = FirstTestImages(context);
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator((ulong)context.Seed + 1);
        var noise = (rand(test.Features.shape, generator: generator) - 0.5).sign() * epsilon;
        var wrong = model.Predict((test.Features + noise).clamp(0, 1)).ne(test.Labels);
        return wrong.to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>The model the reproduction cached under <paramref name="key"/> in the test's cache (its size knobs name the file).</summary>
    private static TorchClassifier Cached(ReproductionContext context, string key, nn.Module<Tensor, Tensor> module, long[]? inputShape = null)
    {
        module.load(Path.Combine(context.CacheDirectory, $"{key}{context.SizeTag}-seed{context.Seed}.bin"));
        module.eval();
        return new TorchClassifier(module, 10, InputBounds.Unit, inputShape, ownsModule: true);
    }

    /// <summary>The test images the reproduction measured on: the first <see cref="ReproductionContext.Samples"/>.</summary>
    private static LabeledData FirstTestImages(ReproductionContext context)
    {
        using var all = Mnist.Load(SharedData.Mnist, MnistSplit.Test);
        return all.Take(context.Samples!.Value);
    }

    /// <summary>A learning-curve point of the learnability audit (its keys name the training-set sizes reached, which follow the budget).</summary>
    [GeneratedRegex(@"^metrics\.[a-z0-9_.]+?\.n\d+\.")]
    private static partial Regex LearningCurvePoint();

    /// <summary>The exposure curve's points (<c>.update_N.</c>), one per logged update: their number follows the stream's length.</summary>
    [GeneratedRegex(@"\.update_\d+\.")]
    private static partial Regex UpdateCurvePoint();
}
