using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Defenses.Input;
using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// A keyed input transform (secret permutation and XOR of the binarised pixels) in front of LeNet-5, trained with it; the
/// transfer of FGSM ε = 0.3 from a Jacobian substitute that does not know the key (trained by querying the keyed
/// deployment, as it would query any API), next to the same attack on the plain LeNet-5, and the transfer from an
/// undefended model of the attacker's own.
/// </summary>
internal sealed class KeyedTransformExperiment() : SubstituteReproduction(
    "keyed-transform",
    "keyed permutation + XOR of binarised pixels before LeNet-5: transfer from a Jacobian substitute without the key")
{
    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData seeds, LabeledData evaluated, CancellationToken cancellationToken)
    {
        using var plain = ExperimentData.LeNet5(context, train, cancellationToken);

        var keySeed = unchecked(context.Seed + 1000);
        using var transform = new KeyedInputTransform(train.SampleShape, new KeyedInputTransformOptions { KeySeed = keySeed, Permute = true, Xor = true });
        context.Log.WriteLine($"  keyed LeNet-5: permutation + XOR of pixels binarised at 0.5, key seed {keySeed}; {ExperimentData.LeNet5Training}");
        var options = new TrainingOptions { Epochs = context.Epochs ?? 10, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed };
        var recipe = new ModelRecipe { Architecture = s => ModelZoo.LeNet5(10, 1, Activation.ReLU, s), Training = options, Seed = context.Seed, Device = context.Device };
        using var keyedTrain = transform.Transform(train);
        using var inner = ModelCache.Train(context, $"lenet5-keyed-perm-xor-key{keySeed}-adam-lr1e-3-e10-b128", recipe, keyedTrain, cancellationToken).Classifier;
        var keyed = transform.Apply(inner);

        var plainAccuracy = ModelAccuracy.Of(plain, evaluated);
        var keyedAccuracy = ModelAccuracy.Of(keyed, evaluated);
        context.Log.WriteLine($"  clean accuracy: plain {plainAccuracy:P2}, keyed {keyedAccuracy:P2}");

        context.Log.WriteLine("  substitute of the plain LeNet-5");
        var plainOutcome = BlackBoxSupport.Substitute(context, plain, seeds, evaluated, cancellationToken);
        using var plainExtraction = plainOutcome.Extraction;
        context.Log.WriteLine("  substitute of the keyed LeNet-5 (queried through the keyed deployment)");
        var keyedOutcome = BlackBoxSupport.Substitute(context, keyed, seeds, evaluated, cancellationToken);
        using var keyedExtraction = keyedOutcome.Extraction;

        // An attacker's own undefended model: the plain LeNet-5 as a source against the keyed deployment.
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = BlackBoxSupport.Epsilon });
        var fromPlainModel = TransferEvaluation.Transfer(fgsm, plain, keyed, evaluated.Features, evaluated.Labels, 512, cancellationToken);
        context.Log.WriteLine($"  transfer: substitute->plain {plainOutcome.Transfer.SuccessRate:P2}, substitute->keyed {keyedOutcome.Transfer.SuccessRate:P2}, plain LeNet-5->keyed {fromPlainModel.SuccessRate:P2}");

        var report = new ReproductionReport(Name);
        report.Setting["transform"] = $"secret permutation of the 784 pixels and XOR with 784 key bits (density 0.5) of the pixels binarised at 0.5; key seed {keySeed}";
        report.Setting["models"] = $"LeNet-5 (ReLU) plain (shared) and trained on keyed images; {ExperimentData.LeNet5Training}";
        report.Setting["substitute"] = $"{BlackBoxSupport.RecipeName(context)}, 150 seeds drawn by the seed, rho=6, lambda=0.1, label-only queries; {plainExtraction.OracleQueries} and {keyedExtraction.OracleQueries} queries";
        report.Setting["attack"] = $"FGSM eps={BlackBoxSupport.Epsilon} on the substitute, success = misclassified by the oracle";
        report.Setting["evaluated_samples"] = evaluated.Count;
        report.Setting["seed"] = context.Seed;
        report.Metrics["transfer_success_rate_plain"] = plainOutcome.Transfer.SuccessRate;
        report.Metrics["transfer_success_rate_keyed"] = keyedOutcome.Transfer.SuccessRate;
        report.Metrics["clean_accuracy_keyed"] = keyedAccuracy;
        report.Metrics["clean_accuracy_plain"] = plainAccuracy;
        report.Metrics["substitute_accuracy_plain"] = plainExtraction.Rounds[^1].Evaluation ?? double.NaN;
        report.Metrics["substitute_accuracy_keyed"] = keyedExtraction.Rounds[^1].Evaluation ?? double.NaN;
        report.Metrics["transfer_success_rate_keyed_from_plain_model"] = fromPlainModel.SuccessRate;
        report.Paper["source"] = "no published numbers for this setting (survey §4.5/§4.6); the issue asks how the key changes transfer";
        var substitute = $"{BlackBoxSupport.RecipeName(context)} substitute (label-only), then FGSM eps={BlackBoxSupport.Epsilon} from it";
        report.Extraction("LeNet-5 plain", plainOutcome.Attack, substitute, plainOutcome.Metrics(seeds.Count, evaluated.Count));
        report.Extraction("LeNet-5 keyed", keyedOutcome.Attack, substitute, keyedOutcome.Metrics(seeds.Count, evaluated.Count));
        report.Evasion("LeNet-5 keyed", fgsm, $"eps={BlackBoxSupport.Epsilon}, crafted on the plain LeNet-5 (transfer)", "untargeted (transfer)", fromPlainModel);
        return report;
    }
}
