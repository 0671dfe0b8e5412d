using NeuralShield.Attacks.Inference;
using NeuralShield.Audit;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Reports;
using NeuralShield.Training;
using Orleans.TestingHost;
using static TorchSharp.torch;

namespace NeuralShield.Orleans.Tests;

public sealed class ClusterTrainingServiceTests(AdultSetup setup) : IClassFixture<AdultSetup>
{
    /// <summary>Epochs of the runs stopped midway: long enough (about 0.2 s a job) for the test to see a job running.</summary>
    private const int LongJob = 120;

    private ShadowTrainingOptions ShadowOptions(IModelTrainingService? service, int epochs = 8) => new()
    {
        Recipe = setup.Recipe(epochs),
        Count = AdultSetup.Shadows,
        Sampling = ShadowSampling.Disjoint,
        Seed = 3,
        TrainingService = service,
        PoolSource = service is null ? null : new DataReference(AdultSetup.PoolId),
    };

    private double Auc(TrainedModel target, ShadowTrainingOptions shadows, ShadowModelSet set)
    {
        var options = new ShadowModelAttackOptions { Shadows = shadows, Seed = 3, AttackTraining = new TrainingOptions { Epochs = 10, BatchSize = 64, Seed = 3 } };
        using var fitted = new ShadowModelAttack(options).Fit(target.Classifier, set);
        using var candidates = new LabeledData(cat([setup.Members.Features, setup.NonMembers.Features]), cat([setup.Members.Labels, setup.NonMembers.Labels]), 2);
        var isMember = Enumerable.Range(0, candidates.Count).Select(i => i < setup.Members.Count).ToArray();
        return fitted.Infer(target.Classifier, candidates).Evaluate(isMember).Auc;
    }

    private static float MaxWeightDifference(ShadowModelSet a, ShadowModelSet b)
    {
        var worst = 0f;
        for (var k = 0; k < a.Count; k++)
        {
            var pa = a.Models[k].Classifier.Module.parameters().ToArray();
            var pb = b.Models[k].Classifier.Module.parameters().ToArray();
            Assert.Equal(pa.Length, pb.Length);
            for (var i = 0; i < pa.Length; i++) worst = Math.Max(worst, (pa[i] - pb[i]).abs().max().item<float>());
        }
        return worst;
    }

    /// <summary>
    /// Waits until one of the two silos trains a job after having completed one, and returns its index (or the run's
    /// end, rethrowing its failure). Which silo that is depends on placement, which follows the silos' view of the
    /// cluster: on a loaded machine one silo may briefly see only itself and take every job.
    /// </summary>
    private static async Task<int> SiloTrainingItsSecondJob(InProcessTestCluster cluster, Task run)
    {
        while (!run.IsCompleted)
        {
            for (var i = 0; i < 2; i++)
            {
                var s = Worker(cluster, i).Statistics;
                if (s.Completed >= 1 && s.Running == 1) return i;
            }
            await Task.Delay(5);
        }
        await run; // its exception says why
        return -1;
    }

    internal static TrainingWorker Worker(InProcessTestCluster cluster, int silo) =>
        (TrainingWorker)cluster.Silos[silo].ServiceProvider.GetService(typeof(TrainingWorker))!;

    [Fact]
    public async Task SixteenShadowsOnTwoSilosGiveTheInProcessWeightsAndAuc()
    {
        await using var cluster = await setup.StartClusterAsync();
        var service = new ClusterTrainingService(cluster.Client);
        using var target = setup.Recipe(40).Train(setup.Members);

        var inProcessOptions = ShadowOptions(null);
        using var inProcess = ShadowModelSet.Train(setup.Pool, inProcessOptions);
        var clusterOptions = ShadowOptions(service);
        using var onCluster = ShadowModelSet.Train(setup.Pool, clusterOptions);

        Assert.Equal(AdultSetup.Shadows, onCluster.Count);
        Assert.True(MaxWeightDifference(inProcess, onCluster) <= 1e-6f);
        var expected = Auc(target, inProcessOptions, inProcess);
        var actual = Auc(target, clusterOptions, onCluster);
        Assert.InRange(expected, 0.5, 1.0);
        Assert.Equal(expected, actual, 1e-6);

        // Both silos trained: the jobs were spread, each exactly once.
        var a = Worker(cluster, 0).Statistics;
        var b = Worker(cluster, 1).Statistics;
        Assert.Equal(AdultSetup.Shadows, a.Completed + b.Completed);
        Assert.Equal(AdultSetup.Shadows / 2, a.Completed);
        Assert.Empty(a.CompletedJobs.Intersect(b.CompletedJobs));
    }

    [Fact]
    public async Task EveryTrainingSettingTravelsToTheSilos()
    {
        // Settings other than the defaults in every field of the training options: the cluster's weights must be the
        // in-process ones, which they are not if any setting is lost on the wire.
        await using var cluster = await setup.StartClusterAsync();
        ShadowTrainingOptions Options(IModelTrainingService? service)
        {
            var recipe = setup.Recipe(6);
            recipe.Training = new TrainingOptions
            {
                Epochs = 6, BatchSize = 48, LearningRate = 0.2, Optimizer = OptimizerKind.Sgd, Momentum = 0.5, WeightDecay = 1e-3,
                Schedule = LearningRateSchedule.Cosine, Seed = 21,
            };
            return new ShadowTrainingOptions
            {
                Recipe = recipe, Count = 2, Sampling = ShadowSampling.Disjoint, Seed = 4, TrainingService = service,
                PoolSource = service is null ? null : new DataReference(AdultSetup.PoolId),
            };
        }
        using var inProcess = ShadowModelSet.Train(setup.Pool, Options(null));
        using var onCluster = ShadowModelSet.Train(setup.Pool, Options(new ClusterTrainingService(cluster.Client)));
        var constantOptions = Options(null);
        constantOptions.Recipe.Training.Schedule = LearningRateSchedule.Constant;
        using var constant = ShadowModelSet.Train(setup.Pool, constantOptions);
        Assert.True(MaxWeightDifference(inProcess, onCluster) <= 1e-6f);
        Assert.True(MaxWeightDifference(inProcess, constant) > 1e-3f, "the schedule should change the weights");
    }

    [Fact]
    public async Task TheAuditsShadowModelAttackTrainsOnTheClusterWithTheInProcessResult()
    {
        await using var cluster = await setup.StartClusterAsync();
        using var service = new ClusterTrainingService(cluster.Client);
        using var target = setup.Recipe(40).Train(setup.Members);

        AttackRecord Audit(IModelTrainingService? trainingService)
        {
            var catalog = new AuditCatalogOptions
            {
                SampleShape = setup.Pool.SampleShape,
                ShadowRecipe = setup.Recipe(),
                Seed = 3,
                ShadowModels = 4,
                MembershipSamples = 200,
                TrainingService = trainingService,
                AttackerDataSource = new DataReference(AdultSetup.PoolId),
            };
            var entries = AttackCatalog.Select(AttackCatalog.Full(catalog), "membership-shadow");
            var report = new Auditor(new AuditOptions { Seed = 3, Entries = entries }).Run(
                [new AuditTarget("target", target.Classifier) { TrainingData = setup.Members }], setup.Pool, setup.NonMembers);
            return Assert.Single(report.Results);
        }

        var before = Worker(cluster, 0).Statistics.Completed + Worker(cluster, 1).Statistics.Completed;
        // One model at a time in process, as each silo trains its job (without a service the shadows would stack: the
        // same models up to floating-point summation order).
        var inProcess = Audit(new InProcessTrainingService());
        Assert.Equal(before, Worker(cluster, 0).Statistics.Completed + Worker(cluster, 1).Statistics.Completed);
        var onCluster = Audit(service);

        Assert.Null(onCluster.Skipped);
        Assert.Equal(inProcess.Membership!.Value.Auc, onCluster.Membership!.Value.Auc, 1e-6);
        Assert.InRange(inProcess.Membership!.Value.Auc, 0.5, 1.0);
        // The four shadows trained on the silos.
        Assert.Equal(before + 4, Worker(cluster, 0).Statistics.Completed + Worker(cluster, 1).Statistics.Completed);
    }

    [Fact]
    public async Task ASiloStoppedMidRunLosesNoJobAndRunsNoneTwice()
    {
        await using var cluster = await setup.StartClusterAsync();
        var service = new ClusterTrainingService(cluster.Client, new ClusterTrainingOptions { PollInterval = TimeSpan.FromSeconds(2) });
        var options = ShadowOptions(service, epochs: LongJob);

        var run = Task.Run(() => ShadowModelSet.Train(setup.Pool, options));
        // Stop a silo while it trains a job, after it has finished at least one.
        var index = await SiloTrainingItsSecondJob(cluster, run);
        Assert.False(run.IsCompleted, "The run ended before the silo could be stopped.");
        var stopped = Worker(cluster, index);
        var survivor = Worker(cluster, 1 - index);
        await cluster.StopSiloAsync(cluster.Silos[index]);
        using var onCluster = await run;

        Assert.Equal(AdultSetup.Shadows, onCluster.Count);
        Assert.True(stopped.Statistics.Interrupted >= 1);
        var first = stopped.Statistics.CompletedJobs;
        var second = survivor.Statistics.CompletedJobs;
        Assert.Equal(AdultSetup.Shadows, first.Count + second.Count);
        Assert.Equal(AdultSetup.Shadows, first.Concat(second).Distinct().Count());
        Assert.True(first.Count < AdultSetup.Shadows, "The stopped silo's unfinished jobs finish on the other silo.");

        // A retried job trains to the weights its seeds give.
        var inProcessOptions = ShadowOptions(new InProcessTrainingService(), epochs: LongJob);
        using var inProcess = ShadowModelSet.Train(setup.Pool, inProcessOptions);
        Assert.True(MaxWeightDifference(inProcess, onCluster) <= 1e-6f);
    }

    [Fact]
    public async Task AJobWhoseDataFailItsIntegrityCheckIsRefused()
    {
        await using var cluster = await setup.StartClusterAsync();
        var service = new ClusterTrainingService(cluster.Client);
        using var shard = setup.Pool.Slice(0, 100);
        var indices = Enumerable.Range(0, 100).Select(i => (long)i).ToArray();
        var tampered = new TrainingJob("tampered", setup.Recipe(), shard, Source: new DataReference(AdultSetup.TamperedId, indices));

        var refused = await Assert.ThrowsAsync<TrainingJobRefusedException>(() => service.TrainAllAsync([tampered]));
        Assert.Equal(0, refused.JobIndex);
        Assert.Contains("does not match its integrity manifest", refused.Message);
        Assert.Contains("1 changed records: 3", refused.Message);

        var unknown = new TrainingJob("unknown", setup.Recipe(), shard, Source: new DataReference("no-such-data", indices));
        var e = await Assert.ThrowsAsync<TrainingJobRefusedException>(() => service.TrainAllAsync([unknown]));
        Assert.Contains("no dataset 'no-such-data'", e.Message);

        var outside = new TrainingJob("outside", setup.Recipe(), shard, Source: new DataReference(AdultSetup.PoolId, indices.Select(i => i + AdultSetup.PoolSize - 50).ToArray()));
        e = await Assert.ThrowsAsync<TrainingJobRefusedException>(() => service.TrainAllAsync([outside]));
        Assert.Contains($"record index {AdultSetup.PoolSize} is outside", e.Message);

        var intact = new TrainingJob("intact", setup.Recipe(), shard, Source: new DataReference(AdultSetup.PoolId, indices));
        using var model = Assert.Single(await service.TrainAllAsync([intact]));
        Assert.Equal(setup.Recipe().Training.Epochs, model.Training.Epochs.Count);
    }

    [Fact]
    public async Task CancellingStopsTheRunAndItsJobs()
    {
        var results = Directory.CreateTempSubdirectory("neuralshield-results-").FullName;
        await using var cluster = await setup.StartClusterAsync(results);
        var service = new ClusterTrainingService(cluster.Client);
        using var cancel = new CancellationTokenSource();
        var first = Worker(cluster, 0);
        var second = Worker(cluster, 1);
        // Jobs five times as long as the other tests': the cancellation must reach a silo while its second job still
        // trains, also on a loaded machine (with shorter jobs it could finish first, and nothing would be interrupted).
        var options = ShadowOptions(service, epochs: 5 * LongJob);

        var run = Task.Run(() => ShadowModelSet.Train(setup.Pool, options, cancellationToken: cancel.Token));
        await SiloTrainingItsSecondJob(cluster, run);
        Assert.False(run.IsCompleted, "The run ended before it could be cancelled.");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        // Every job the workers took up has ended (completed before the cancellation or interrupted), none runs on.
        for (var i = 0; i < 200 && first.Statistics.Running + second.Statistics.Running > 0; i++) await Task.Delay(50);
        Assert.Equal(0, first.Statistics.Running + second.Statistics.Running);
        Assert.True(first.Statistics.Completed + second.Statistics.Completed < AdultSetup.Shadows);
        Assert.True(first.Statistics.Interrupted + second.Statistics.Interrupted >= 1);
        // The shared results keep nothing: completed outcomes were released as the client took them, the rest given up.
        for (var i = 0; i < 100 && Directory.EnumerateFiles(results).Any(); i++) await Task.Delay(50);
        Assert.Empty(Directory.EnumerateFiles(results));
        Directory.Delete(results, recursive: true);
    }

    [Fact]
    public void JobsThatCannotTravelAreRefusedBeforeAnythingIsSent()
    {
        var service = new ClusterTrainingService(NoGrains.Create());
        using var shard = setup.Pool.Slice(0, 10);
        var source = new DataReference(AdultSetup.PoolId, Enumerable.Range(0, 10).Select(i => (long)i).ToArray());
        var lambda = setup.Recipe();
        lambda.Architecture = s => ModelZoo.Mlp(108, [16], 2, seed: s);

        var e = Assert.Throws<ArgumentException>(() => service.TrainAll([new TrainingJob("a", lambda, shard, Source: source)]));
        Assert.Equal("jobs", e.ParamName);
        Assert.Contains("ZooArchitecture", e.Message);
        e = Assert.Throws<ArgumentException>(() => service.TrainAll([new TrainingJob("b", setup.Recipe(), shard)]));
        Assert.Contains("has no Source", e.Message);
        e = Assert.Throws<ArgumentException>(() => service.TrainAll([new TrainingJob("c", setup.Recipe(), shard, Step: new CrossEntropyStep(), Source: source)]));
        Assert.Contains("Step must be null", e.Message);
        e = Assert.Throws<ArgumentException>(() => service.TrainAll([new TrainingJob("d", setup.Recipe(), shard, Source: source with { Indices = [1, 2] })]));
        Assert.Contains("names 2 records but the job's data hold 10", e.Message);
        Assert.Throws<ArgumentNullException>(() => service.TrainAll(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClusterTrainingService(NoGrains.Create(), new ClusterTrainingOptions { MaxAttempts = 0 }));
    }

    [Fact]
    public void JobIndexPlacementSpreadsARunsJobsOverTheSilos()
    {
        Assert.Equal([0, 1, 0, 1], Enumerable.Range(0, 4).Select(i => JobIndexPlacementDirector.Slot($"run/{i}", 2)).ToArray());
        Assert.Equal(2, JobIndexPlacementDirector.Slot("abc/5", 3));
        Assert.InRange(JobIndexPlacementDirector.Slot("no-index", 3), 0, 2);
    }

    /// <summary>A grain factory that must not be reached.</summary>
    public class NoGrains : System.Reflection.DispatchProxy
    {
        public static IGrainFactory Create() => Create<IGrainFactory, NoGrains>();

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException("No grain may be called for a job refused on the client.");
    }
}
