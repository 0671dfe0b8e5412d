using Microsoft.Extensions.Logging.Abstractions;
using NeuralShield.Data;
using NeuralShield.Training;

namespace NeuralShield.Orleans.Tests;

/// <summary>
/// The result store keeps a completed outcome byte for byte, refuses a file cut short anywhere, and — on a cluster whose
/// silos share it — lets a silo that takes over a job whose outcome was lost with its silo return the stored outcome
/// instead of training the job again.
/// </summary>
public sealed class JobResultStoreTests(AdultSetup setup) : IClassFixture<AdultSetup>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("neuralshield-results-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static JobOutcome Outcome() => JobOutcome.Completed("silo-a", Enumerable.Range(0, 97).Select(i => (byte)(i * 7)).ToArray(),
        new TrainingResult(
        [
            new EpochReport(1, 0.75, null, TimeSpan.FromMilliseconds(12)),
            new EpochReport(2, 0.5, 0.875, TimeSpan.FromMilliseconds(25)),
        ], 2, true, TimeSpan.FromMilliseconds(31)));

    private static void AssertSame(JobOutcome expected, JobOutcome actual)
    {
        Assert.Equal(JobStatus.Completed, actual.Status);
        Assert.Equal(expected.Worker, actual.Worker);
        Assert.Equal(expected.Weights, actual.Weights);
        Assert.Equal(expected.BestEpoch, actual.BestEpoch);
        Assert.Equal(expected.StoppedEarly, actual.StoppedEarly);
        Assert.Equal(expected.ElapsedTicks, actual.ElapsedTicks);
        Assert.Equal(expected.Epochs.Length, actual.Epochs.Length);
        for (var i = 0; i < expected.Epochs.Length; i++)
        {
            Assert.Equal(expected.Epochs[i].Epoch, actual.Epochs[i].Epoch);
            Assert.Equal(expected.Epochs[i].TrainLoss, actual.Epochs[i].TrainLoss);
            Assert.Equal(expected.Epochs[i].ValidationAccuracy, actual.Epochs[i].ValidationAccuracy);
            Assert.Equal(expected.Epochs[i].ElapsedTicks, actual.Epochs[i].ElapsedTicks);
        }
    }

    [Fact]
    public void AStoredOutcomeReadsBackAsWrittenAndACutFileIsRefusedAtEveryLength()
    {
        var outcome = Outcome();
        using var stream = new MemoryStream();
        JobResultStore.Write(stream, outcome);
        var bytes = stream.ToArray();
        AssertSame(outcome, JobResultStore.Read(new MemoryStream(bytes)));
        for (var length = 0; length < bytes.Length; length++)
            Assert.Throws<InvalidDataException>(() => JobResultStore.Read(new MemoryStream(bytes, 0, length)));
        Assert.Throws<InvalidDataException>(() => JobResultStore.Read(new MemoryStream([.. bytes, 0])));
        Assert.Throws<ArgumentException>(() => JobResultStore.Write(new MemoryStream(), JobOutcome.Ended("s", JobStatus.Failed, "x")));
    }

    [Fact]
    public void TheStoreSavesLoadsAndDeletesByJobKeyAndDropsAnUnreadableFile()
    {
        var store = new JobResultStore(_directory, NullLogger.Instance);
        Assert.Null(store.TryLoad("run1/0"));
        store.Save("run1/0", Outcome());
        Assert.Equal([store.PathOf("run1/0")], Directory.GetFiles(_directory)); // no temporary file left
        AssertSame(Outcome(), store.TryLoad("run1/0")!);
        Assert.Null(store.TryLoad("run1/1"));
        store.Delete("run1/0");
        Assert.Null(store.TryLoad("run1/0"));

        File.WriteAllBytes(store.PathOf("run1/2"), [1, 2, 3]);
        Assert.Null(store.TryLoad("run1/2"));
        Assert.False(File.Exists(store.PathOf("run1/2")));

        Assert.Equal("key", Assert.Throws<ArgumentException>(() => store.PathOf("../x")).ParamName);
        Assert.Throws<ArgumentException>(() => store.PathOf(""));
    }

    [Fact]
    public void AWorkerRefusesSettingsItCannotUse()
    {
        static TrainingWorker Make(TrainingWorkerOptions o) => new(Microsoft.Extensions.Options.Options.Create(o), null!, NullLogger<TrainingWorker>.Instance);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => Make(new TrainingWorkerOptions { ResultDirectory = " " })).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Make(new TrainingWorkerOptions { MaxConcurrentJobs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Make(new TrainingWorkerOptions { TorchThreadsPerJob = 0 }));
        Make(new TrainingWorkerOptions { ResultDirectory = _directory }).Dispose();
    }

    [Fact]
    public async Task AnOutcomeLostWithItsSiloIsRestoredOnTheOtherSiloNotTrainedAgain()
    {
        await using var cluster = await setup.StartClusterAsync(_directory);
        using var shard = setup.Pool.Slice(0, 200);
        var job = new TrainingJob("lost", setup.Recipe(2), shard, Source: new DataReference(AdultSetup.PoolId, Enumerable.Range(0, 200).Select(i => (long)i).ToArray()));
        var spec = JobSpec.From(job, 0);
        var grain = cluster.Client.GetGrain<ITrainingJobGrain>("lostrun/0");

        // The job completes on one silo and its grain holds the outcome; the client "never receives" it (no Forget).
        var first = await grain.Run(spec, TimeSpan.FromMinutes(2));
        Assert.Equal(JobStatus.Completed, first!.Status);
        var trainedOn = Enumerable.Range(0, 2).Single(i => ClusterTrainingServiceTests.Worker(cluster, i).Statistics.Completed == 1);
        var other = 1 - trainedOn;
        Assert.True(File.Exists(Path.Combine(_directory, "lostrun.0.outcome")));

        // Its silo goes away with the outcome; the retried call activates the grain on the other silo.
        var survivor = ClusterTrainingServiceTests.Worker(cluster, other);
        await cluster.StopSiloAsync(cluster.Silos[trainedOn]);
        JobOutcome? second = null;
        for (var attempt = 0; attempt < 50 && second is null; attempt++)
        {
            try
            {
                second = await grain.Run(spec, TimeSpan.FromMinutes(2));
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                await Task.Delay(200);
            }
        }

        Assert.NotNull(second);
        AssertSame(first, second);
        Assert.Equal(0, survivor.Statistics.Started);
        Assert.Equal(0, survivor.Statistics.Completed);
        Assert.Equal(["lostrun/0"], survivor.Statistics.RestoredJobs);

        await grain.Forget();
        Assert.Empty(Directory.GetFiles(_directory));
    }
}
