using BenchmarkDotNet.Attributes;
using NeuralShield.Models;
using NeuralShield.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Benchmarks;

/// <summary>
/// One forward and backward pass (the cross-entropy's gradient with respect to the inputs: what every white-box attack
/// step does) through the PyTorch LeNet-5 export (<c>../shared/models/lenet5-pytorch.onnx</c>) imported by
/// <see cref="ModelImport.Onnx"/>, next to the same network shape written in TorchSharp (<see cref="ModelZoo.LeNet5"/>).
/// One intra-op thread; CPU.
/// </summary>
[MemoryDiagnoser]
public class ImportBenchmarks
{
    private TorchClassifier _imported = null!;
    private TorchClassifier _torch = null!;
    private Tensor _x = null!;
    private Tensor _y = null!;

    [Params(256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        _imported = ModelImport.Onnx(SharedModels.Find("lenet5-pytorch.onnx"), [1, 28, 28]);
        _torch = new TorchClassifier(ModelZoo.LeNet5(seed: 0), 10, ownsModule: true);
        using var g = new Generator(1);
        _x = rand([Batch, 1, 28, 28], generator: g);
        _y = randint(0, 10, [Batch], generator: g);
    }

    private void ForwardBackward(IDifferentiableClassifier model)
    {
        using var scope = NewDisposeScope();
        var x = _x.detach().requires_grad_(true);
        var loss = nn.functional.cross_entropy(model.Logits(x), _y);
        // The gradient with respect to the inputs only, as the attacks take it (no parameter gradients on either side).
        var gradient = torch.autograd.grad([loss], [x])[0];
        _ = gradient.sum().item<float>();
    }

    [Benchmark(Baseline = true)]
    public void TorchSharp() => ForwardBackward(_torch);

    [Benchmark]
    public void ImportedOnnx() => ForwardBackward(_imported);

    [GlobalCleanup]
    public void Cleanup()
    {
        _imported.Dispose();
        _torch.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
