using BenchmarkDotNet.Attributes;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;

namespace NeuralShield.Benchmarks;

/// <summary>
/// Verifying the integrity manifest of the 10,000 MNIST training records (shared/data/mnist, or
/// <c>$NEURALSHIELD_SHARED/data/mnist</c>): reading the JSON and checking its HMAC, then hashing every record and
/// comparing; and the record hashing alone. Goal: verification ≤ 1 s.
/// </summary>
[MemoryDiagnoser]
public class ManifestBenchmarks
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 1)).ToArray();
    private LabeledData _data = null!;
    private string _json = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = Mnist.Load(FindMnist(), MnistSplit.Train);
        _json = IntegrityManifest.Create(_data, Key, name: "mnist train-first10k").ToJson();
    }

    [Benchmark(Baseline = true)]
    public int HashRecords() => IntegrityManifest.HashRecords(_data).Length;

    [Benchmark]
    public bool ParseAndVerify()
    {
        var manifest = IntegrityManifest.Parse(_json, Key);
        var report = manifest.Verify(_data);
        if (!report.Intact) throw new InvalidOperationException(report.Describe());
        return report.Intact;
    }

    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();

    private static string FindMnist()
    {
        var env = Environment.GetEnvironmentVariable("NEURALSHIELD_SHARED");
        if (!string.IsNullOrEmpty(env)) return Path.Combine(env, "data", "mnist");
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "mnist");
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new DirectoryNotFoundException($"No shared/data/mnist folder above {Directory.GetCurrentDirectory()}; set NEURALSHIELD_SHARED.");
    }
}
