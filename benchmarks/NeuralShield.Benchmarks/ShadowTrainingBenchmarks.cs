using BenchmarkDotNet.Attributes;
using NeuralShield.Attacks.Inference;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Benchmarks;

/// <summary>
/// Training k shadow copies of the Adult tabular MLP (108-64-32-2, Adam, batch 128, 1,000 records each) on
/// Adult-shaped data: one model alone (the baseline), k sequential loops, k loops on 2 threads, and one stacked
/// ensemble of k (<see cref="StackedTrainingService"/>). The target: k = 16 batched within 4× one model.
/// </summary>
public class ShadowTrainingBenchmarks
{
    private LabeledData _pool = null!;
    private ModelRecipe _recipe = null!;

    [ParamsSource(nameof(DeviceNames))]
    public string Device { get; set; } = "cpu";

    [Params(16)]
    public int Shadows { get; set; }

    [Params(5)]
    public int Epochs { get; set; }

    public static IEnumerable<string> DeviceNames => Devices.Available();

    [GlobalSetup]
    public void Setup()
    {
        var device = Devices.Resolve(Device);
        using var g = new Generator(3);
        // Adult's encoding: 6 standardised numbers and 102 one-hot features.
        var numbers = randn([2 * 1000 * Shadows, 6], generator: g).clamp(-4, 4);
        var onehot = (rand([2 * 1000 * Shadows, 102], generator: g) < 0.08).to_type(ScalarType.Float32);
        _pool = new LabeledData(cat([numbers, onehot], 1), randint(0, 2, [2 * 1000 * Shadows], generator: g), 2);
        _recipe = new ModelRecipe
        {
            Architecture = s => ModelZoo.TabularMlp(108, 2, s),
            Training = new TrainingOptions { Epochs = Epochs, BatchSize = 128, LearningRate = 1e-3 },
            Bounds = new InputBounds(-5, 5),
            Device = device,
        };
    }

    private ShadowModelSet Train(int count, int parallelism, bool batched) => ShadowModelSet.Train(_pool, new ShadowTrainingOptions
    {
        Recipe = _recipe, Count = count, TrainSize = 1000, Sampling = ShadowSampling.Disjoint,
        TrainingService = batched ? new StackedTrainingService() : new InProcessTrainingService(new InProcessTrainingOptions { MaxParallelism = parallelism }),
    });

    [Benchmark(Baseline = true)]
    public void One()
    {
        using var set = Train(1, 1, false);
    }

    [Benchmark]
    public void Sequential()
    {
        using var set = Train(Shadows, 1, false);
    }

    [Benchmark]
    public void ParallelTwoThreads()
    {
        var threads = get_num_threads();
        set_num_threads(1);
        try
        {
            using var set = Train(Shadows, 2, false);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Benchmark]
    public void Batched()
    {
        using var set = Train(Shadows, 1, true);
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();
}
