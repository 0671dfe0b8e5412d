using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Training;

/// <summary>
/// <see cref="CachingTrainingService"/>: trains only what its folder does not hold, loads the rest into the recipe's
/// module with the very weights trained before, keeps job order, and trains again over a file that does not fit.
/// </summary>
public sealed class CachingTrainingServiceTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ns-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static ModelRecipe Recipe() => new()
    {
        Architecture = seed => ModelZoo.Mlp(4, [8], 3, Activation.ReLU, seed),
        Training = new TrainingOptions { Epochs = 2, BatchSize = 16, LearningRate = 1e-2, Seed = 5 },
        Seed = 11,
    };

    private static bool SameWeights(TrainedModel a, TrainedModel b) =>
        a.Classifier.Module.parameters().Zip(b.Classifier.Module.parameters()).All(p => TensorAssert.Same(p.First, p.Second));

    private static void DisposeAll(IEnumerable<TrainedModel> models)
    {
        foreach (var m in models) m.Dispose();
    }

    [Fact]
    public void TrainsOnlyWhatItDoesNotHoldAndLoadsTheSameWeights()
    {
        using var a = TestModels.Blobs(60, 4, seed: 1);
        using var b = TestModels.Blobs(60, 4, seed: 2);
        var jobs = new List<TrainingJob> { new("a", Recipe(), a, SeedOffset: 1), new("b", Recipe(), b, SeedOffset: 2), new("never", Recipe(), a, SeedOffset: 3) };
        string? Key(TrainingJob job) => job.Name == "never" ? null : "job-" + job.Name;

        var inner = new CountingTrainingService();
        var cache = new CachingTrainingService(inner, _folder, Key);
        var first = cache.TrainAll(jobs);
        var plain = new InProcessTrainingService().TrainAll(jobs);
        try
        {
            Assert.Equal(3, inner.Jobs);
            Assert.True(File.Exists(cache.PathOf("job-a")) && File.Exists(cache.PathOf("job-b")));
            Assert.Equal(2, Directory.GetFiles(_folder).Length);

            var reports = new List<TrainingJobReport>();
            var second = cache.TrainAll(jobs, new Collect<TrainingJobReport>(reports.Add));
            try
            {
                // Only the uncached job trained again; every result is in job order with the weights the plain service gives.
                Assert.Equal(4, inner.Jobs);
                for (var k = 0; k < 3; k++)
                {
                    Assert.True(SameWeights(plain[k], first[k]), $"job {k}: trained through the cache differs from the plain service");
                    Assert.True(SameWeights(plain[k], second[k]), $"job {k}: loaded differs from trained");
                }
                Assert.Empty(second[0].Training.Epochs);
                Assert.Equal(2, second[2].Training.Epochs.Count);
                Assert.Equal([0, 1, 2], reports.Select(r => r.Index).Order());
                Assert.All(reports, r => Assert.Equal(3, r.Total));
                using var p = plain[0].Classifier.PredictProbabilities(a.Features);
                using var q = second[0].Classifier.PredictProbabilities(a.Features);
                Assert.True(TensorAssert.Same(p, q));
            }
            finally
            {
                DisposeAll(second);
            }
        }
        finally
        {
            DisposeAll(first);
            DisposeAll(plain);
        }
    }

    [Fact]
    public void AFileThatDoesNotFitTheRecipeIsTrainedAgainAndReplaced()
    {
        using var data = TestModels.Blobs(60, 4, seed: 3);
        var lines = new List<string>();
        var inner = new CountingTrainingService();
        var cache = new CachingTrainingService(inner, _folder, _ => "model", new Collect<string>(lines.Add));
        Directory.CreateDirectory(_folder);
        File.WriteAllText(cache.PathOf("model"), "not weights");
        var jobs = new[] { new TrainingJob("m", Recipe(), data) };
        DisposeAll(cache.TrainAll(jobs));
        Assert.Equal(1, inner.Jobs);
        Assert.Contains(lines, l => l.Contains("unusable", StringComparison.Ordinal));
        DisposeAll(cache.TrainAll(jobs));
        Assert.Equal(1, inner.Jobs);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData(" ")]
    public void AKeyThatIsNotAPlainFileNameIsRefused(string key)
    {
        using var data = TestModels.Blobs(20, 4, seed: 4);
        var cache = new CachingTrainingService(new CountingTrainingService(), _folder, _ => key);
        var error = Assert.ThrowsAny<ArgumentException>(() => cache.TrainAll([new TrainingJob("m", Recipe(), data)]));
        Assert.Equal("key", error.ParamName);
        Assert.False(Directory.Exists(_folder));
    }
}

/// <summary>Reports on the calling thread.</summary>
internal sealed class Collect<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
