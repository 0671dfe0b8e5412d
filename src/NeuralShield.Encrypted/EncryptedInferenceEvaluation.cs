using System.Diagnostics;
using NeuralShield.Data;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Encrypted;

/// <summary>
/// Survey §4.7's encrypted inference, measured: TenSEAL's MNIST network (<see cref="CkksNetworks.TenSealMnist"/>) trained
/// in plaintext, then evaluated on CKKS ciphertexts by an evaluator that holds no secret key; accuracy, agreement with
/// the plaintext network, single-image latency and batched throughput.
/// </summary>
public static class EncryptedInferenceEvaluation
{
    /// <summary>Trains on <paramref name="train"/>, scores the plaintext network on <paramref name="test"/> and the encrypted one on its first <paramref name="samples"/> images.</summary>
    /// <exception cref="ArgumentException">Data that are not [N, 1, 28, 28], or <paramref name="samples"/> outside 1 to the test set's size.</exception>
    public static EncryptedInferenceResult Run(LabeledData train, LabeledData test, int samples, EncryptedInferenceOptions? options = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (!train.SampleShape.SequenceEqual([1L, 28, 28]) || !test.SampleShape.SequenceEqual([1L, 28, 28]))
            throw new ArgumentException("expected MNIST-shaped data [N, 1, 28, 28]", nameof(train));
        if (samples < 1 || samples > test.Count) throw new ArgumentOutOfRangeException(nameof(samples), samples, $"expected 1 to {test.Count}");
        options ??= new EncryptedInferenceOptions();
        var recipe = new ModelRecipe
        {
            Architecture = seed => CkksNetworks.TenSealMnist(seed: seed),
            Training = options.Training.Copy(),
            Seed = options.Seed,
        };
        recipe.Training.Seed = options.Seed;
        using var trained = recipe.Train(train, progress: progress is null ? null : new Reporter<EpochReport>(e => progress.Report($"epoch {e.Epoch}: loss {e.TrainLoss:F4}")),
            cancellationToken: cancellationToken);
        var module = trained.Classifier.Module;
        var plainAccuracy = ModelAccuracy.Of(trained.Classifier, test);
        progress?.Report($"plaintext accuracy {plainAccuracy:P2} on {test.Count} test images");

        var network = CkksNetwork.FromModule(module, [1, 28, 28], options.Parameters);
        var images = new float[samples][];
        var labels = test.Labels.cpu().data<long>().Take(samples).ToArray();
        using (var flat = test.Features.narrow(0, 0, samples).reshape(samples, 784).cpu().to_type(ScalarType.Float32))
            for (var i = 0; i < samples; i++) images[i] = flat[i].data<float>().ToArray();
        double[][] plain;
        using (NewDisposeScope())
        using (no_grad())
        {
            module.eval();
            using var logits = module.forward(test.Features.narrow(0, 0, samples).cpu()).to_type(ScalarType.Float64);
            plain = Enumerable.Range(0, samples).Select(i => logits[i].data<double>().ToArray()).ToArray();
        }

        var setup = Stopwatch.StartNew();
        using var client = NodeSeal.CreateClient(options.Parameters, network.RotationSteps, options.Node, cancellationToken);
        using var evaluator = NodeSeal.CreateEvaluator(options.Parameters, client.Keys, options.Node, cancellationToken);
        var keySeconds = setup.Elapsed.TotalSeconds;
        progress?.Report($"keys: {keySeconds:F1} s, {network.RotationSteps.Count} Galois keys, {(client.Keys.RelinKeys.Length + client.Keys.GaloisKeys.Length) / 1e6:F1} M characters to the evaluator");

        var single = new List<double>();
        for (var run = 0; run < Math.Max(1, options.LatencyRuns); run++)
        {
            var watch = Stopwatch.StartNew();
            network.Infer(client, evaluator, [images[run % samples]], cancellationToken);
            single.Add(watch.Elapsed.TotalSeconds);
        }
        single.Sort();
        var latency = single[single.Count / 2];
        progress?.Report($"one image alone: median {latency:F2} s over {single.Count} runs");

        var encrypted = new double[samples][];
        var batchWatch = Stopwatch.StartNew();
        for (var start = 0; start < samples; start += network.ImagesPerCiphertext)
        {
            var count = Math.Min(network.ImagesPerCiphertext, samples - start);
            var logits = network.Infer(client, evaluator, images[start..(start + count)], cancellationToken);
            logits.CopyTo(encrypted, start);
            if ((start / network.ImagesPerCiphertext) % 25 == 24 || start + count == samples)
            {
                var done = start + count;
                var agreeSoFar = Enumerable.Range(0, done).Count(i => ArgMax(plain[i]) == ArgMax(encrypted[i]));
                var rightSoFar = Enumerable.Range(0, done).Count(i => ArgMax(encrypted[i]) == labels[i]);
                progress?.Report($"{done} / {samples} images encrypted and classified ({batchWatch.Elapsed.TotalSeconds:F0} s): agreement {agreeSoFar}/{done}, encrypted accuracy {(double)rightSoFar / done:P2}");
            }
        }
        var throughput = samples / batchWatch.Elapsed.TotalHours;

        var agree = 0;
        var plainRight = 0;
        var encryptedRight = 0;
        var maxError = 0.0;
        for (var i = 0; i < samples; i++)
        {
            var (p, e) = (ArgMax(plain[i]), ArgMax(encrypted[i]));
            if (p == e) agree++;
            if (p == labels[i]) plainRight++;
            if (e == labels[i]) encryptedRight++;
            for (var k = 0; k < plain[i].Length; k++) maxError = Math.Max(maxError, Math.Abs(plain[i][k] - encrypted[i][k]));
        }
        return new EncryptedInferenceResult(plainAccuracy, samples, (double)plainRight / samples, (double)encryptedRight / samples, (double)agree / samples, maxError,
            latency, throughput, network.ImagesPerCiphertext, keySeconds, client.Keys.RelinKeys.Length + client.Keys.GaloisKeys.Length, trained.Training);
    }

    private static int ArgMax(double[] v) => Array.IndexOf(v, v.Max());

    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
