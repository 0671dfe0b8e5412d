using BenchmarkDotNet.Attributes;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Benchmarks;

/// <summary>
/// One JSMA iteration (θ = +1, JSMA-F, pairwise search over 784 features) on LeNet-5 next to the bare
/// TorchSharp work it needs: two forward+backward passes (∂F_t/∂x and ∂Σ_j F_j/∂x) on the same batch.
/// γ is set so that the budget is exactly one pair iteration.
/// </summary>
[MemoryDiagnoser]
public class JsmaBenchmarks
{
    private TorchClassifier _model = null!;
    private Tensor _x = null!;
    private Tensor _targets = null!;
    private Jsma _jsma = null!;

    [ParamsSource(nameof(DeviceNames))]
    public string Device { get; set; } = "cpu";

    [Params(100)]
    public int Batch { get; set; }

    public static IEnumerable<string> DeviceNames => Devices.Available();

    [GlobalSetup]
    public void Setup()
    {
        var device = Devices.Resolve(Device);
        _model = new TorchClassifier(ModelZoo.LeNet5(seed: 0).to(device), 10, ownsModule: true);
        using var g = new Generator(1);
        _x = (rand([Batch, 1, 28, 28], generator: g) * 0.5).to(device);
        _targets = randint(0, 10, [Batch], generator: g).to(device);
        _jsma = new Jsma(new JsmaOptions { Gamma = 2.0 / 784 });
        if (Jsma.IterationBudget(784, _jsma.Options.Gamma) != 1) throw new InvalidOperationException("The benchmark expects a one-iteration budget.");
    }

    [Benchmark(Baseline = true)]
    public void BareTwoGradients()
    {
        using var scope = NewDisposeScope();
        var leaf = _x.detach().requires_grad_(true);
        var probabilities = _model.Module.forward(leaf).softmax(1);
        var target = probabilities.gather(1, _targets.unsqueeze(1)).sum();
        var all = probabilities.sum();
        var grads = autograd.grad([target, all], [leaf, leaf], retain_graph: true);
        Devices.Synchronize(grads[0].device);
    }

    [Benchmark]
    public void JsmaIteration()
    {
        using var result = _jsma.Run(_model, _x, AttackGoal.Targeted(_targets));
        Devices.Synchronize(result.Adversarials.device);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _x.Dispose();
        _targets.Dispose();
    }
}
