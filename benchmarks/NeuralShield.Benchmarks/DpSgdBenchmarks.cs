using BenchmarkDotNet.Attributes;
using NeuralShield.Defenses.Training;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Benchmarks;

/// <summary>
/// One DP-SGD step (per-sample gradients, clipping, noise, optimiser step) next to one plain SGD step (forward,
/// mean cross-entropy, backward, optimiser step) on the same model and batch. The ratio DpSgd/Plain is the cost of
/// privacy per step (target ≤ 3).
/// </summary>
[MemoryDiagnoser]
public class DpSgdBenchmarks
{
    private nn.Module<Tensor, Tensor> _model = null!;
    private optim.Optimizer _optimizer = null!;
    private Tensor _x = null!;
    private Tensor _y = null!;
    private DpSgdStep _step = null!;
    private long _stepIndex;

    [ParamsSource(nameof(DeviceNames))]
    public string Device { get; set; } = "cpu";

    [Params("tanh-cnn", "mlp")]
    public string Model { get; set; } = "tanh-cnn";

    [Params(128)]
    public int Batch { get; set; }

    public static IEnumerable<string> DeviceNames => Devices.Available();

    /// <summary>The DP-SGD reproduction's CNN (conv16 8×8/2, pool, conv32 4×4/2, pool, fc32, fc10, tanh), or a 784-256-10 tanh MLP.</summary>
    private static nn.Module<Tensor, Tensor> Make(string name)
    {
        if (name == "mlp") return ModelZoo.Mlp(784, [256], 10, Activation.Tanh, seed: 0);
        random.manual_seed(0);
        return nn.Sequential(
            ("conv1", nn.Conv2d(1, 16, 8, stride: 2, padding: 3)), ("act1", nn.Tanh()), ("pool1", nn.MaxPool2d(2, 1)),
            ("conv2", nn.Conv2d(16, 32, 4, stride: 2)), ("act2", nn.Tanh()), ("pool2", nn.MaxPool2d(2, 1)),
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(32 * 4 * 4, 32)), ("act3", nn.Tanh()),
            ("logits", nn.Linear(32, 10)));
    }

    [GlobalSetup]
    public void Setup()
    {
        var device = Devices.Resolve(Device);
        _model = Make(Model).to(device);
        _model.train();
        _optimizer = optim.SGD(_model.parameters(), 0.01);
        using var g = new Generator(1);
        _x = rand([Batch, 1, 28, 28], generator: g).to(device);
        _y = randint(0, 10, [Batch], generator: g).to(device);
        _step = new DpSgdStep(clipNorm: 1.0, noiseMultiplier: 1.0, expectedBatchSize: Batch, seed: 0);
    }

    [Benchmark(Baseline = true)]
    public void Plain()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(_model.forward(_x), _y);
        loss.backward();
        _optimizer.step();
        Devices.Synchronize(_x.device);
    }

    [Benchmark]
    public void DpSgd()
    {
        _step.Update(_model, _optimizer, _x, _y, _stepIndex++);
        Devices.Synchronize(_x.device);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _optimizer.Dispose();
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
