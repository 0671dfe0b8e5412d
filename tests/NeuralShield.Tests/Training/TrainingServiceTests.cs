using NeuralShield.Attacks.Inference;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Training;

/// <summary>A module that forwards to another, counts training batches and records its disposal.</summary>
internal sealed class TrackedJobModule : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> inner;
    private readonly Action<int>? onBatch;

    public TrackedJobModule(nn.Module<Tensor, Tensor> inner, Action<int>? onBatch = null) : base(nameof(TrackedJobModule))
    {
        this.inner = inner;
        this.onBatch = onBatch;
        RegisterComponents();
    }

    public bool Disposed { get; private set; }

    public int TrainingForwards { get; private set; }

    public override Tensor forward(Tensor input)
    {
        if (training)
        {
            TrainingForwards++;
            onBatch?.Invoke(TrainingForwards);
        }
        return inner.forward(input);
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

/// <summary>A training service that counts the jobs it is given and hands them to the in-process default.</summary>
internal sealed class CountingTrainingService : IModelTrainingService
{
    private readonly InProcessTrainingService inner = new();

    public int Jobs { get; private set; }

    /// <summary>The data references of the jobs given, in order.</summary>
    public List<DataReference?> Sources { get; } = [];

    public IReadOnlyList<TrainedModel> TrainAll(IReadOnlyList<TrainingJob> jobs, IProgress<TrainingJobReport>? progress = null, CancellationToken cancellationToken = default)
    {
        Jobs += jobs.Count;
        Sources.AddRange(jobs.Select(j => j.Source));
        return inner.TrainAll(jobs, progress, cancellationToken);
    }
}

/// <summary>
/// <see cref="InProcessTrainingService"/>: results in job order, the same weights whatever the parallelism, progress
/// per job, and a failing or cancelled run that disposes what it trained.
/// </summary>
public class TrainingServiceTests
{
    private static ModelRecipe Recipe(int features, Func<long, nn.Module<Tensor, Tensor>>? architecture = null) => new()
    {
        Architecture = architecture ?? (seed => ModelZoo.Mlp(features, [8], 3, Activation.ReLU, seed)),
        Training = new TrainingOptions { Epochs = 3, BatchSize = 16, LearningRate = 1e-2, Seed = 5 },
        Seed = 11,
    };

    private static List<TrainingJob> Jobs(IReadOnlyList<LabeledData> shards, ModelRecipe recipe) =>
        shards.Select((d, k) =>
        {
            var r = recipe.Copy();
            r.Training.Seed = 5 + k;
            return new TrainingJob($"job {k}", r, d, SeedOffset: 1 + k);
        }).ToList();

    private static List<LabeledData> Shards(int count, int size = 48) =>
        Enumerable.Range(0, count).Select(k => TestModels.Blobs(size, 4, seed: 20 + k)).ToList();

    private static bool SameWeights(TrainedModel a, TrainedModel b) =>
        a.Classifier.Module.parameters().Zip(b.Classifier.Module.parameters()).All(p => TensorAssert.Same(p.First, p.Second));

    [Fact]
    public void ParallelismOneAndTwoGiveIdenticalWeightsInJobOrder()
    {
        var shards = Shards(5);
        try
        {
            var jobs = Jobs(shards, Recipe(4));
            var sequential = new InProcessTrainingService().TrainAll(jobs);
            var parallel = new InProcessTrainingService(new InProcessTrainingOptions { MaxParallelism = 2 }).TrainAll(jobs);
            try
            {
                Assert.Equal(jobs.Count, sequential.Count);
                Assert.Equal(jobs.Count, parallel.Count);
                for (var k = 0; k < jobs.Count; k++)
                {
                    Assert.True(SameWeights(sequential[k], parallel[k]), $"job {k} differs between parallelism 1 and 2");
                    // Job order: job k is the recipe trained alone with its own seeds.
                    using var alone = jobs[k].Recipe.Train(jobs[k].Data, seedOffset: jobs[k].SeedOffset);
                    Assert.True(SameWeights(alone, sequential[k]), $"job {k} differs from its recipe trained alone");
                }
                Assert.False(SameWeights(sequential[0], sequential[1]));
            }
            finally
            {
                foreach (var m in sequential.Concat(parallel)) m.Dispose();
            }
        }
        finally
        {
            foreach (var d in shards) d.Dispose();
        }
    }

    /// <summary>Cross-entropy that records libtorch's intra-op thread count on the thread running each step.</summary>
    private sealed class ThreadCountRecordingStep : ITrainingStep
    {
        public System.Collections.Concurrent.ConcurrentBag<int> Seen { get; } = [];

        public double Run(Tensor inputs, Tensor labels, StepContext context)
        {
            Seen.Add(torch.get_num_threads());
            return CrossEntropyStep.Default.Run(inputs, labels, context);
        }
    }

    [Fact]
    public void ParallelJobsTrainWithTheCallersThreadCount()
    {
        // OpenMP keeps libtorch's thread count per thread: pool threads that ran libtorch work before (as they have in a
        // full test run) keep their old count unless the service carries the caller's over.
        var shards = Shards(4);
        var before = torch.get_num_threads();
        var wanted = before == 1 ? 2 : 1;
        try
        {
            torch.set_num_threads(wanted);
            var step = new ThreadCountRecordingStep();
            var jobs = Jobs(shards, Recipe(4)).Select(j => j with { Step = step }).ToList();
            var trained = new InProcessTrainingService(new InProcessTrainingOptions { MaxParallelism = 2 }).TrainAll(jobs);
            foreach (var m in trained) m.Dispose();
            Assert.NotEmpty(step.Seen);
            Assert.All(step.Seen, n => Assert.Equal(wanted, n));
        }
        finally
        {
            torch.set_num_threads(before);
            foreach (var d in shards) d.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ReportsEveryJobOnceWithARisingCount(int parallelism)
    {
        var shards = Shards(4, 32);
        try
        {
            var reports = new List<TrainingJobReport>();
            var models = new InProcessTrainingService(new InProcessTrainingOptions { MaxParallelism = parallelism })
                .TrainAll(Jobs(shards, Recipe(4)), new Callback<TrainingJobReport>(reports.Add));
            foreach (var m in models) m.Dispose();
            Assert.Equal([1, 2, 3, 4], reports.Select(r => r.Completed));
            Assert.Equal([0, 1, 2, 3], reports.Select(r => r.Index).Order());
            Assert.All(reports, r => Assert.Equal(4, r.Total));
            Assert.All(reports, r => Assert.Equal(32, r.Records));
            Assert.All(reports, r => Assert.Equal($"job {r.Index}", r.Name));
            Assert.All(reports, r => Assert.Equal(3, r.Training.Epochs.Count));
        }
        finally
        {
            foreach (var d in shards) d.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AFailingJobDisposesTheTrainedModelsAndRethrows(int parallelism)
    {
        var shards = Shards(4, 32);
        try
        {
            var created = new System.Collections.Concurrent.ConcurrentBag<TrackedJobModule>();
            var good = Recipe(4, seed =>
            {
                var m = new TrackedJobModule(ModelZoo.Mlp(4, [8], 3, Activation.ReLU, seed));
                created.Add(m);
                return m;
            });
            var jobs = Jobs(shards, good);
            var bad = Recipe(4, _ => throw new InvalidOperationException("no model for job 3"));
            jobs[3] = jobs[3] with { Recipe = bad };
            var service = new InProcessTrainingService(new InProcessTrainingOptions { MaxParallelism = parallelism });
            var e = Assert.Throws<InvalidOperationException>(() => service.TrainAll(jobs));
            Assert.Equal("no model for job 3", e.Message);
            // Sequentially the three jobs before it were trained; in parallel, whatever had started.
            if (parallelism == 1) Assert.Equal(3, created.Count);
            Assert.All(created, m => Assert.True(m.Disposed));
        }
        finally
        {
            foreach (var d in shards) d.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CancellingMidRunStopsBetweenBatchesAndDisposes(int parallelism)
    {
        var shards = Shards(6, 64);
        try
        {
            using var source = new CancellationTokenSource();
            var created = new System.Collections.Concurrent.ConcurrentBag<TrackedJobModule>();
            TrackedJobModule? canceller = null;
            var recipe = Recipe(4, seed =>
            {
                // The first model cancels the run at its second training batch of the second epoch.
                var m = new TrackedJobModule(ModelZoo.Mlp(4, [8], 3, Activation.ReLU, seed), batch =>
                {
                    if (seed == 11 + 1 && batch == 6) source.Cancel();
                });
                created.Add(m);
                if (seed == 11 + 1) canceller = m;
                return m;
            });
            var service = new InProcessTrainingService(new InProcessTrainingOptions { MaxParallelism = parallelism });
            var e = Assert.ThrowsAny<OperationCanceledException>(() => service.TrainAll(Jobs(shards, recipe), null, source.Token));
            Assert.Equal(source.Token, e.CancellationToken);
            // Stopped promptly: no job started after the cancellation, and every model made is disposed.
            if (parallelism == 1) Assert.Single(created);
            else Assert.InRange(created.Count, 1, shards.Count - 1);
            Assert.All(created, m => Assert.True(m.Disposed));
            Assert.NotNull(canceller);
            Assert.Equal(6, canceller.TrainingForwards);
        }
        finally
        {
            foreach (var d in shards) d.Dispose();
        }
    }

    [Fact]
    public void ShadowModelsGoThroughTheGivenServiceWithTheInProcessResults()
    {
        using var pool = TestModels.Blobs(160, 4, seed: 3);
        // In process, one model at a time (without a service the shadows would stack: the same models up to
        // floating-point summation order, checked in MembershipInferenceTests).
        var options = new ShadowTrainingOptions { Recipe = Recipe(4), Count = 4, Seed = 2, TrainingService = new InProcessTrainingService() };
        var counting = new CountingTrainingService();
        var withService = options.Copy();
        withService.TrainingService = counting;
        using var inProcess = ShadowModelSet.Train(pool, options);
        using var viaService = ShadowModelSet.Train(pool, withService);
        Assert.Equal(4, counting.Jobs);
        for (var k = 0; k < 4; k++)
        {
            Assert.True(SameWeights(inProcess.Models[k], viaService.Models[k]));
            // As before the seam: shadow k is the recipe trained on its In records, weights seed + 1 + k, batch order training seed + 1 + k.
            var recipe = options.Recipe.Copy();
            recipe.Training.Seed = options.Recipe.Training.Seed + 1 + k;
            using var train = pool.Subset(inProcess.Indices(k, ShadowRole.In).Select(i => (long)i).ToArray());
            using var alone = recipe.Train(train, seedOffset: 1 + k);
            Assert.True(SameWeights(alone, inProcess.Models[k]), $"shadow {k} differs from its recipe trained alone");
        }
    }
}
