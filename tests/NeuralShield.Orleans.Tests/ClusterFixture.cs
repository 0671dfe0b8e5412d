using System.Runtime.CompilerServices;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using Orleans.TestingHost;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Orleans.Tests;

/// <summary>Prepares TorchSharp (native bridge, one intra-op thread per job) before any test runs.</summary>
internal static class TorchSetup
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        NeuralShield.Runtime.NativeRuntime.Initialize();
        torch.set_num_threads(1);
    }
}

/// <summary>
/// The data of the tests: the first rows of UCI Adult's training file as the attacker's pool (registered with the
/// workers as "adult-pool" with its integrity manifest), a tampered copy under the same manifest
/// ("adult-tampered"), and a target model with its members and non-members.
/// </summary>
public sealed class AdultSetup : IDisposable
{
    public const string PoolId = "adult-pool";
    public const string TamperedId = "adult-tampered";
    public const int PoolSize = 3200;
    public const int Shadows = 16;

    private static readonly byte[] Key = "neuralshield-orleans-tests-key-32"u8.ToArray();

    public AdultSetup()
    {
        using var adult = AdultDataset.Load(FindAdult());
        using var shuffled = adult.Train.Shuffle(7);
        Pool = shuffled.Slice(0, PoolSize);
        Members = shuffled.Slice(PoolSize, 200);
        NonMembers = shuffled.Slice(PoolSize + 200, 200);
        Manifest = IntegrityManifest.Create(Pool, Key, name: PoolId);
        using var scope = NewDisposeScope();
        var lo = MathF.Floor(shuffled.Features.min().item<float>()) - 1;
        var hi = MathF.Ceiling(shuffled.Features.max().item<float>()) + 1;
        Bounds = new InputBounds(lo, hi);
        Architecture = ZooArchitecture.Mlp((int)Pool.FeatureCount, [16], 2);
    }

    public LabeledData Pool { get; }

    public LabeledData Members { get; }

    public LabeledData NonMembers { get; }

    public IntegrityManifest Manifest { get; }

    public InputBounds Bounds { get; }

    public ZooArchitecture Architecture { get; }

    /// <summary>The shadows' recipe: a small MLP, a few epochs.</summary>
    public ModelRecipe Recipe(int epochs = 8) => new()
    {
        Architecture = Architecture.Create,
        Training = new TrainingOptions { Epochs = epochs, BatchSize = 32, LearningRate = 1e-2, Seed = 11 },
        Seed = 5,
        Bounds = Bounds,
    };

    /// <summary>The workers' datasets: the pool (intact) and a copy with one flipped label under the pool's manifest.</summary>
    public void Configure(TrainingWorkerOptions options)
    {
        options.Datasets[PoolId] = new WorkerDataset(() => Pool.Slice(0, Pool.Count), Manifest);
        options.Datasets[TamperedId] = new WorkerDataset(() =>
        {
            var labels = Pool.Labels.clone();
            labels[3] = 1 - labels[3];
            return new LabeledData(Pool.Features.clone(), labels, Pool.ClassCount);
        }, Manifest);
    }

    /// <summary>A 2-silo in-process cluster whose silos train jobs on these data (and keep outcomes in <paramref name="resultDirectory"/> when given).</summary>
    public async Task<InProcessTestCluster> StartClusterAsync(string? resultDirectory = null)
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.AddModelTraining(o =>
        {
            Configure(o);
            o.ResultDirectory = resultDirectory;
        }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        // Both silos must see each other before jobs are placed (placement spreads over the silos a silo knows).
        await cluster.WaitForLivenessToStabilizeAsync();
        return cluster;
    }

    public void Dispose()
    {
        Pool.Dispose();
        Members.Dispose();
        NonMembers.Dispose();
    }

    private static string FindAdult()
    {
        var env = Environment.GetEnvironmentVariable("NEURALSHIELD_SHARED");
        if (!string.IsNullOrEmpty(env)) return Path.Combine(env, "data", "adult");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var adult = Path.Combine(dir.FullName, "shared", "data", "adult");
            if (Directory.Exists(adult)) return adult;
        }
        throw new DirectoryNotFoundException("UCI Adult (shared/data/adult) was not found above " + AppContext.BaseDirectory + "; set NEURALSHIELD_SHARED.");
    }
}
