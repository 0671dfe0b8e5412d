using BenchmarkDotNet.Attributes;
using NeuralShield.Defenses.Detection;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Benchmarks;

/// <summary>
/// One query (784 features, MNIST-sized) scored and remembered by the stateful detector with a full memory of 1,000
/// queries (K = 50): the ranking of the memory (one addmv over the cached squared norms), the top-k, the exact distances
/// of the K found, the ring-buffer write. The baseline is the plain cdist against the memory and the same top-k. The
/// threshold is tiny so that no query is flagged and the memory stays full.
/// </summary>
[MemoryDiagnoser]
public class StatefulDetectorBenchmarks
{
    private StatefulQueryDetector _detector = null!;
    private Tensor _queries = null!;
    private Tensor _memory = null!;
    private int _next;

    [ParamsSource(nameof(DeviceNames))]
    public string Device { get; set; } = "cpu";

    [Params(1000)]
    public int Memory { get; set; }

    public static IEnumerable<string> DeviceNames => Devices.Available();

    [GlobalSetup]
    public void Setup()
    {
        var device = Devices.Resolve(Device);
        _detector = new StatefulQueryDetector(new StatefulQueryDetectorOptions { Neighbours = 50, MemorySize = Memory, Threshold = 1e-6, ClearOnDetection = true });
        using var g = new Generator(1);
        using var fill = rand([Memory, 1, 28, 28], generator: g).to(device);
        using (_detector.Inspect(fill)) { }
        _queries = rand([256, 1, 28, 28], generator: g).to(device);
        _memory = fill.reshape(Memory, -1).clone();
    }

    /// <summary>The bare distance work: one cdist against the memory and the 50 smallest.</summary>
    [Benchmark(Baseline = true)]
    public float BareCdistTopK()
    {
        using var scope = NewDisposeScope();
        var q = _queries.narrow(0, _next++ % 256, 1).reshape(1, -1);
        var (values, _) = cdist(q, _memory).topk(50, dim: 1, largest: false, sorted: false);
        var mean = values.mean();
        Devices.Synchronize(mean.device);
        return mean.item<float>();
    }

    [Benchmark]
    public bool OneQuery()
    {
        using var q = _queries.narrow(0, _next++ % 256, 1);
        using var verdict = _detector.Inspect(q);
        Devices.Synchronize(verdict.Flagged.device);
        return verdict.Reason is null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _queries.Dispose();
        _memory.Dispose();
    }
}
