using BenchmarkDotNet.Attributes;
using NeuralShield.Workloads;
using TorchSharp;

namespace NeuralShield.Benchmarks;

/// <summary>
/// A loop of <see cref="WorkloadCatalog"/> (shared with <c>neuralshield bench</c>) twice: <see cref="Bare"/>, the bare
/// TorchSharp work it needs (the baseline), and <see cref="NeuralShield"/>, the library's public API. The ratio column is
/// the library's overhead. One libtorch thread (intra-op and inter-op) in every benchmark.
/// </summary>
[MemoryDiagnoser]
public abstract class WorkloadBenchmark
{
    private Workload _workload = null!;

    [ParamsSource(nameof(DeviceNames))]
    public string Device { get; set; } = "cpu";

    public static IEnumerable<string> DeviceNames => Devices.Available();

    private protected abstract Workload Create(torch.Device device);

    [GlobalSetup]
    public void Setup()
    {
        Devices.UseOneThread();
        _workload = Create(Devices.Resolve(Device));
    }

    [Benchmark(Baseline = true)]
    public void Bare() => _workload.Bare();

    [Benchmark]
    public void NeuralShield() => _workload.Library();

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();
}

/// <summary>FGSM (Steps = 1) and PGD-k L∞ on LeNet-5.</summary>
public class PgdBenchmarks : WorkloadBenchmark
{
    [Params(128)]
    public int Batch { get; set; }

    [Params(1, 10, 40)]
    public int Steps { get; set; }

    private protected override Workload Create(torch.Device device) => new GradientDescentWorkload(device, Batch, Steps);
}

/// <summary>One JSMA iteration (F: softmax, Z: logits), pairwise over 784 features, on LeNet-5; bare: the plain batched iteration.</summary>
public class JsmaBenchmarks : WorkloadBenchmark
{
    [Params(100)]
    public int Batch { get; set; }

    [Params("F", "Z")]
    public string Output { get; set; } = "F";

    private protected override Workload Create(torch.Device device) =>
        new JsmaWorkload(device, Batch, Output == "F" ? global::NeuralShield.Attacks.Evasion.JsmaOutput.Probabilities : global::NeuralShield.Attacks.Evasion.JsmaOutput.Logits);
}

/// <summary>DeepFool L2, at most 10 iterations, on LeNet-5.</summary>
public class DeepFoolBenchmarks : WorkloadBenchmark
{
    [Params(100)]
    public int Batch { get; set; }

    private protected override Workload Create(torch.Device device) => new DeepFoolWorkload(device, Batch, 10);
}

/// <summary>Carlini–Wagner L2: one binary-search step of 100 Adam iterations on LeNet-5.</summary>
public class CarliniWagnerBenchmarks : WorkloadBenchmark
{
    [Params(100)]
    public int Batch { get; set; }

    private protected override Workload Create(torch.Device device) => new CarliniWagnerWorkload(device, Batch, 100);
}

/// <summary>HopSkipJump L2: 10 iterations (100·√t label-only probes each, step-size and binary searches) on LeNet-5.</summary>
public class HopSkipJumpBenchmarks : WorkloadBenchmark
{
    [Params(10)]
    public int Batch { get; set; }

    private protected override Workload Create(torch.Device device) => new HopSkipJumpWorkload(device, Batch, 10);
}

/// <summary>One projected-gradient pass of the universal perturbation over 1,024 images.</summary>
public class UniversalBenchmarks : WorkloadBenchmark
{
    [Params(64)]
    public int Batch { get; set; }

    private protected override Workload Create(torch.Device device) => new UniversalWorkload(device, 1024, Batch);
}

/// <summary>Gradient-ascent fooling, 10 sign steps.</summary>
public class FoolingBenchmarks : WorkloadBenchmark
{
    [Params(100)]
    public int Batch { get; set; }

    private protected override Workload Create(torch.Device device) => new FoolingWorkload(device, Batch, 10);
}

/// <summary>
/// One training epoch (2,048 samples, Adam) with each of the library's training steps: plain cross-entropy,
/// distillation's soft labels, saturation's penalty, FGSM adversarial training.
/// </summary>
public class TrainingBenchmarks : WorkloadBenchmark
{
    [Params(128)]
    public int Batch { get; set; }

    [Params("cross-entropy", "distillation", "saturation", "adversarial")]
    public string Step { get; set; } = "cross-entropy";

    private protected override Workload Create(torch.Device device) => new TrainingWorkload(device, 2048, Batch, Step switch
    {
        "distillation" => TrainingKind.Distillation,
        "saturation" => TrainingKind.Saturation,
        "adversarial" => TrainingKind.AdversarialFgsm,
        _ => TrainingKind.CrossEntropy,
    });
}

/// <summary>
/// One Jacobian-augmentation round of substitute training (Papernot et al. 2017): 150 seeds labelled by a LeNet-5
/// oracle, a LeNet-5 substitute trained 2 epochs, the children labelled, 2 more epochs on the doubled set.
/// </summary>
public class SubstituteRoundBenchmarks : WorkloadBenchmark
{
    [Params(150)]
    public int Seeds { get; set; }

    [Params(128)]
    public int Batch { get; set; }

    private protected override Workload Create(torch.Device device) => new SubstituteRoundWorkload(device, Seeds, Batch);
}

// Other families (DP-SGD step next to the plain step, shadow ensemble next to sequential shadows, detector query) have
// their own benchmark classes in this folder; a new loop adds a Workload to src/NeuralShield.Workloads (and its name to WorkloadCatalog) and
// a class here.
