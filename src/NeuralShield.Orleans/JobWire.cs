using NeuralShield.Models;
using NeuralShield.Training;

namespace NeuralShield.Orleans;

/// <summary>
/// What travels to a worker for one job: the recipe by name and settings (a zoo architecture, the training options'
/// values, the seeds, the bounds) and the data by reference (a dataset id and the shard's record indices), never the
/// tensors. A few hundred bytes plus 8 bytes per training record.
/// </summary>
[GenerateSerializer]
internal sealed class JobSpec
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public ZooModel Model { get; set; }
    [Id(2)] public int InputFeatures { get; set; }
    [Id(3)] public int Classes { get; set; }
    [Id(4)] public int[]? Hidden { get; set; }
    [Id(5)] public Activation Activation { get; set; }
    [Id(6)] public int Channels { get; set; }
    [Id(7)] public int Epochs { get; set; }
    [Id(8)] public int BatchSize { get; set; }
    [Id(9)] public double LearningRate { get; set; }
    [Id(10)] public OptimizerKind Optimizer { get; set; }
    [Id(11)] public double Momentum { get; set; }
    [Id(12)] public double WeightDecay { get; set; }
    [Id(13)] public long TrainingSeed { get; set; }
    [Id(14)] public long Seed { get; set; }
    [Id(15)] public long SeedOffset { get; set; }
    [Id(16)] public float LowerBound { get; set; }
    [Id(17)] public float UpperBound { get; set; }
    [Id(18)] public string Dataset { get; set; } = "";
    [Id(19)] public long[]? Indices { get; set; }
    [Id(20)] public LearningRateSchedule Schedule { get; set; }

    /// <summary>The spec of <paramref name="job"/> (position <paramref name="index"/> in the run).</summary>
    /// <exception cref="ArgumentException">The job cannot be sent to a worker; the message says why (argument "jobs").</exception>
    public static JobSpec From(TrainingJob? job, int index)
    {
        if (job is null) throw new ArgumentException($"Job {index} is null.", "jobs");
        string At() => $"Job {index} ('{job.Name}')";
        if (job.Recipe is null) throw new ArgumentException($"{At()} has no recipe.", "jobs");
        if (job.Data is null) throw new ArgumentException($"{At()} has no data.", "jobs");
        var architecture = ZooArchitecture.Of(job.Recipe.Architecture)
            ?? throw new ArgumentException($"{At()}: a worker rebuilds the recipe by name, so its architecture must be a ZooArchitecture's Create (Architecture = spec.Create).", "jobs");
        if (job.Step is not null) throw new ArgumentException($"{At()}: a cluster trains with plain cross-entropy; the job's Step must be null.", "jobs");
        var source = job.Source ?? throw new ArgumentException($"{At()} has no Source: a worker loads the data itself, so the job must name its dataset and records.", "jobs");
        if (string.IsNullOrWhiteSpace(source.Dataset)) throw new ArgumentException($"{At()}: the Source must name a dataset.", "jobs");
        if (source.Indices is { } indices && indices.Count != job.Data.Count)
            throw new ArgumentException($"{At()}: the Source names {indices.Count} records but the job's data hold {job.Data.Count}.", "jobs");
        var training = job.Recipe.Training ?? new TrainingOptions();
        if (training.EarlyStopPatience is not null) throw new ArgumentException($"{At()}: early stopping needs validation data, which a cluster job does not carry.", "jobs");
        return new JobSpec
        {
            Name = job.Name ?? "",
            Model = architecture.Model,
            InputFeatures = architecture.InputFeatures,
            Classes = architecture.Classes,
            Hidden = architecture.Hidden?.ToArray(),
            Activation = architecture.Activation,
            Channels = architecture.Channels,
            Epochs = training.Epochs,
            BatchSize = training.BatchSize,
            LearningRate = training.LearningRate,
            Optimizer = training.Optimizer,
            Momentum = training.Momentum,
            WeightDecay = training.WeightDecay,
            Schedule = training.Schedule,
            TrainingSeed = training.Seed,
            Seed = job.Recipe.Seed,
            SeedOffset = job.SeedOffset,
            LowerBound = job.Recipe.Bounds.Lower,
            UpperBound = job.Recipe.Bounds.Upper,
            Dataset = source.Dataset,
            Indices = source.Indices?.ToArray(),
        };
    }

    /// <summary>The recipe this spec names, trained on the CPU.</summary>
    public ModelRecipe ToRecipe() => new()
    {
        Architecture = new ZooArchitecture(Model, InputFeatures, Classes, Hidden, Activation, Channels).Create,
        Training = new TrainingOptions
        {
            Epochs = Epochs, BatchSize = BatchSize, LearningRate = LearningRate, Optimizer = Optimizer, Momentum = Momentum,
            WeightDecay = WeightDecay, Schedule = Schedule, Seed = TrainingSeed,
        },
        Seed = Seed,
        Bounds = new InputBounds(LowerBound, UpperBound),
    };
}

/// <summary>How a job ended on a worker.</summary>
internal enum JobStatus
{
    /// <summary>Trained: the outcome holds the weights and the training record.</summary>
    Completed,
    /// <summary>Refused before training (the data failed their integrity check, an unknown dataset, indices out of range).</summary>
    Refused,
    /// <summary>Training threw: the outcome holds the exception's type and message.</summary>
    Failed,
    /// <summary>Stopped by the worker's silo shutting down or the job's cancellation: to be retried elsewhere (or dropped when cancelled).</summary>
    Interrupted,
}

/// <summary>One epoch of a job's training record.</summary>
[GenerateSerializer]
internal sealed class EpochWire
{
    [Id(0)] public int Epoch { get; set; }
    [Id(1)] public double TrainLoss { get; set; }
    [Id(2)] public double? ValidationAccuracy { get; set; }
    [Id(3)] public long ElapsedTicks { get; set; }
}

/// <summary>What comes back from a worker: the status and, when trained, the TorchSharp-serialised weights and the training record.</summary>
[GenerateSerializer]
internal sealed class JobOutcome
{
    [Id(0)] public JobStatus Status { get; set; }
    [Id(1)] public byte[]? Weights { get; set; }
    [Id(2)] public EpochWire[] Epochs { get; set; } = [];
    [Id(3)] public int BestEpoch { get; set; }
    [Id(4)] public bool StoppedEarly { get; set; }
    [Id(5)] public long ElapsedTicks { get; set; }
    [Id(6)] public string Worker { get; set; } = "";
    [Id(7)] public string? ErrorType { get; set; }
    [Id(8)] public string? Error { get; set; }

    /// <summary>The training record.</summary>
    public TrainingResult ToTrainingResult() => new(
        Epochs.Select(e => new EpochReport(e.Epoch, e.TrainLoss, e.ValidationAccuracy, TimeSpan.FromTicks(e.ElapsedTicks))).ToArray(),
        BestEpoch, StoppedEarly, TimeSpan.FromTicks(ElapsedTicks));

    /// <summary>A completed outcome of <paramref name="training"/> with <paramref name="weights"/>.</summary>
    public static JobOutcome Completed(string worker, byte[] weights, TrainingResult training) => new()
    {
        Status = JobStatus.Completed,
        Worker = worker,
        Weights = weights,
        Epochs = training.Epochs.Select(e => new EpochWire { Epoch = e.Epoch, TrainLoss = e.TrainLoss, ValidationAccuracy = e.ValidationAccuracy, ElapsedTicks = e.Elapsed.Ticks }).ToArray(),
        BestEpoch = training.BestEpoch,
        StoppedEarly = training.StoppedEarly,
        ElapsedTicks = training.Elapsed.Ticks,
    };

    /// <summary>An outcome without weights.</summary>
    public static JobOutcome Ended(string worker, JobStatus status, string? error = null, string? errorType = null) =>
        new() { Status = status, Worker = worker, Error = error, ErrorType = errorType };
}
