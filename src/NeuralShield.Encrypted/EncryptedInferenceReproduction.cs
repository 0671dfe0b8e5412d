using NeuralShield.Data;
using NeuralShield.Reports;
using NeuralShield.Reproductions;

namespace NeuralShield.Encrypted;

/// <summary>
/// Survey §4.7, encrypted inference: TenSEAL's MNIST network (conv 4@7×7/3, square, 256→64, square, 64→10) trained in
/// plaintext and evaluated on CKKS ciphertexts (Microsoft SEAL 4.1 through node-seal; N = 8192, moduli [31, 26×6, 31],
/// scale 2^26) by an evaluator without the secret key. <c>--samples</c> test images are classified encrypted (default 1,000).
/// It lives here, not with the library's reproductions, because it needs this package; the tool's catalog adds it.
/// </summary>
internal sealed class EncryptedInferenceReproduction() : MnistReproduction(
    "encrypted-inference",
    "CryptoNets/TenSEAL encrypted MNIST inference with CKKS (SEAL via node-seal): accuracy, agreement, latency, throughput",
    defaultSamples: 10_000)
{
    protected override ReproductionReport Run(ReproductionContext context, LabeledData train, LabeledData test, CancellationToken cancellationToken)
    {
        var options = new EncryptedInferenceOptions { Seed = context.Seed };
        if (context.Epochs is { } epochs) options.Training.Epochs = epochs;
        var samples = Math.Min(context.Samples ?? 1000, test.Count);
        EncryptedInferenceResult r;
        try
        {
            r = EncryptedInferenceEvaluation.Run(train, test, samples, options, context.IndentedLog(), cancellationToken);
        }
        catch (NodeSealMissingException e)
        {
            throw new ReproductionSettingException(e.Message, e);
        }
        var report = new ReproductionReport(Name);
        report.Setting["network"] = "conv 4 kernels 7x7 stride 3 - square - fc 256->64 - square - fc 64->10 (TenSEAL tutorial)";
        report.Setting["training"] = $"{train.Count} MNIST training images, Adam lr {options.Training.LearningRate}, batch {options.Training.BatchSize}, {options.Training.Epochs} epochs";
        report.Setting["ckks"] = $"{options.Parameters}, 128-bit security (SEAL 4.1, node-seal 6.0.3 on Node.js)";
        report.Setting["layout"] = $"im2col input (49 ciphertexts), {r.ImagesPerCiphertext} images per ciphertext, diagonal dense layers with baby-step giant-step rotations";
        report.Setting["samples"] = r.Samples;
        report.Setting["seed"] = context.Seed;
        report.Metrics["plain_accuracy"] = r.PlainAccuracy;
        report.Metrics["plain_accuracy_on_samples"] = r.PlainAccuracyOnSamples;
        report.Metrics["encrypted_accuracy"] = r.EncryptedAccuracy;
        report.Metrics["accuracy_drop_pp"] = 100 * (r.PlainAccuracyOnSamples - r.EncryptedAccuracy);
        report.Metrics["agreement"] = r.Agreement;
        report.Metrics["max_logit_error"] = r.MaxLogitError;
        report.Metrics["seconds_per_image"] = r.SecondsPerImage;
        report.Metrics["images_per_hour_batched"] = r.ImagesPerHour;
        report.Metrics["images_per_ciphertext"] = r.ImagesPerCiphertext;
        report.Metrics["key_setup_seconds"] = r.KeySetupSeconds;
        report.Metrics["evaluation_key_mchars"] = r.EvaluationKeyCharacters / 1e6;
        report.Paper["cryptonets"] = "Gilad-Bachrach et al., ICML 2016: 99% on MNIST, 4,096 images per batch in ~250 s, ~59,000 predictions per hour";
        report.Paper["lola"] = "Brutzkus et al., ICML 2019: 98.95% at 2.2 s per image";
        report.Paper["tenseal"] = "TenSEAL tutorial: plaintext 97.77%, encrypted 97.48% (-0.29 pp), ~2 s per image";
        report.Paper["plain_accuracy"] = 0.9777;
        report.Paper["encrypted_accuracy"] = 0.9748;
        report.Paper["seconds_per_image"] = 2.0;
        report.Paper["images_per_hour_batched"] = 59_000;
        return report;
    }
}
