using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using NeuralShield.Models;
using NeuralShield.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Benchmarks;

/// <summary>
/// Class probabilities for a batch of MNIST-shaped inputs from the PyTorch LeNet-5 export
/// (<c>../shared/models/lenet5-pytorch.onnx</c>) through <see cref="OnnxClassifier"/>, next to the same architecture in
/// TorchSharp (<see cref="ModelZoo.LeNet5"/>, its own weights: the network shape is what matters for speed) through
/// <see cref="TorchClassifier"/>, and next to a bare ONNX Runtime run of the same session settings (the library's
/// overhead is Onnx − OnnxRuntimeBare). One intra-op thread everywhere. CPU only: the classifier runs ONNX Runtime's
/// CPU execution provider.
/// </summary>
[MemoryDiagnoser]
public class OnnxBenchmarks
{
    private OnnxClassifier _onnx = null!;
    private TorchClassifier _torch = null!;
    private InferenceSession _bare = null!;
    private SessionOptions _bareOptions = null!;
    private Microsoft.ML.OnnxRuntime.RunOptions _runOptions = null!;
    private Tensor _x = null!;
    private float[] _xData = null!;

    [Params(1000)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        var path = SharedModels.Find("lenet5-pytorch.onnx");
        _onnx = new OnnxClassifier(path, new OnnxClassifierOptions { IntraOpThreads = 1, MaxBatchSize = Batch });
        _torch = new TorchClassifier(ModelZoo.LeNet5(seed: 0), 10, ownsModule: true);
        _bareOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _bare = new InferenceSession(path, _bareOptions);
        _runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        using var g = new Generator(1);
        _x = rand([Batch, 1, 28, 28], generator: g);
        _xData = _x.data<float>().ToArray();
    }

    [Benchmark(Baseline = true)]
    public void TorchSharp()
    {
        using var p = _torch.PredictProbabilities(_x);
    }

    [Benchmark]
    public void Onnx()
    {
        using var p = _onnx.PredictProbabilities(_x);
    }

    [Benchmark]
    public void OnnxRuntimeBare()
    {
        using var input = OrtValue.CreateTensorValueFromMemory(_xData, [Batch, 1, 28, 28]);
        using var outputs = _bare.Run(_runOptions, ["input"], [input], [_bare.OutputMetadata.Keys.First()]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onnx.Dispose();
        _torch.Dispose();
        _bare.Dispose();
        _bareOptions.Dispose();
        _runOptions.Dispose();
        _x.Dispose();
    }
}

/// <summary>Finds the shared third-party models (<c>../shared/models</c>, or <c>$NEURALSHIELD_SHARED/models</c>).</summary>
public static class SharedModels
{
    public static string Find(string file)
    {
        var env = Environment.GetEnvironmentVariable("NEURALSHIELD_SHARED");
        if (!string.IsNullOrEmpty(env)) return Path.Combine(env, "models", file);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "models", file);
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException($"{file} was not found in a shared/models folder above {Directory.GetCurrentDirectory()}; set NEURALSHIELD_SHARED.", file);
    }
}
