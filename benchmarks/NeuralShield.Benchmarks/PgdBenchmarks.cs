using BenchmarkDotNet.Attributes;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Benchmarks;

/// <summary>
/// PGD-k on LeNet-5 (MNIST-shaped inputs) next to the bare TorchSharp loop of the same length
/// (forward, cross-entropy, input gradient, sign step, projection). The ratio Attack/Bare is the library's overhead.
/// </summary>
[MemoryDiagnoser]
public class PgdBenchmarks
{
    private TorchClassifier _model = null!;
    private Tensor _x = null!;
    private Tensor _y = null!;
    private Pgd _pgd = null!;

    [ParamsSource(nameof(DeviceNames))]
    public string Device { get; set; } = "cpu";

    [Params(128)]
    public int Batch { get; set; }

    [Params(1, 40)]
    public int Steps { get; set; }

    public static IEnumerable<string> DeviceNames => Devices.Available();

    [GlobalSetup]
    public void Setup()
    {
        var device = Devices.Resolve(Device);
        _model = new TorchClassifier(ModelZoo.LeNet5(seed: 0).to(device), 10, ownsModule: true);
        using var g = new Generator(1);
        _x = rand([Batch, 1, 28, 28], generator: g).to(device);
        _y = randint(0, 10, [Batch], generator: g).to(device);
        _pgd = new Pgd(new PgdOptions { Epsilon = 0.3, StepSize = 0.01, Steps = Steps, RandomStart = false });
    }

    [Benchmark(Baseline = true)]
    public void Bare()
    {
        using var scope = NewDisposeScope();
        var x = _x.clone();
        for (var i = 0; i < Steps; i++)
        {
            using var step = NewDisposeScope();
            var leaf = x.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(_model.Module.forward(leaf), _y, reduction: nn.Reduction.Sum);
            var grad = autograd.grad([loss], [leaf])[0];
            using var _ = no_grad();
            var next = minimum(maximum(x + 0.01 * grad.sign(), _x - 0.3), _x + 0.3).clamp(0, 1);
            x = next.MoveToOuterDisposeScope();
        }
        Devices.Synchronize(x.device);
    }

    [Benchmark]
    public void Attack()
    {
        using var result = _pgd.Run(_model, _x, AttackGoal.Untargeted(_y));
        Devices.Synchronize(result.Adversarials.device);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
