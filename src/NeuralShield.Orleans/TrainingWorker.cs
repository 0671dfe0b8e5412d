using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;
using NeuralShield.Training;
using Orleans.Runtime;

namespace NeuralShield.Orleans;

/// <summary>
/// A silo's trainer: it resolves a job's data reference (loading each dataset once and checking it against its
/// integrity manifest), rebuilds the recipe from its spec, trains through <see cref="InProcessTrainingService"/> on a
/// thread-pool thread, at most <see cref="TrainingWorkerOptions.MaxConcurrentJobs"/> at a time, and returns the weights
/// as TorchSharp-serialised bytes. When the silo stops, running and waiting jobs are interrupted (between batches) so
/// that the client retries them on another silo.
/// </summary>
public sealed class TrainingWorker : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly TrainingWorkerOptions _options;
    private readonly ILocalSiloDetails _silo;
    private readonly ILogger<TrainingWorker> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Lazy<(LabeledData? Data, string? Refusal)>> _datasets = new(StringComparer.Ordinal);
    private readonly InProcessTrainingService _trainer = new();
    private readonly JobResultStore? _results;
    private int _disposed;

    /// <summary>Created by the silo's container.</summary>
    public TrainingWorker(IOptions<TrainingWorkerOptions> options, ILocalSiloDetails silo, ILogger<TrainingWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        if (_options.TorchThreadsPerJob is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.TorchThreadsPerJob, "TrainingWorkerOptions.TorchThreadsPerJob must be positive when set.");
        if (_options.MaxConcurrentJobs < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxConcurrentJobs, "TrainingWorkerOptions.MaxConcurrentJobs must be positive.");
        if (_options.ResultDirectory is { } directory && string.IsNullOrWhiteSpace(directory))
            throw new ArgumentException("TrainingWorkerOptions.ResultDirectory must name a directory when set.", nameof(options));
        _silo = silo;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.MaxConcurrentJobs);
        _results = _options.ResultDirectory is { } dir ? new JobResultStore(Path.GetFullPath(dir), logger) : null;
    }

    /// <summary>What this silo's worker has done.</summary>
    public TrainingWorkerStatistics Statistics { get; } = new();

    /// <summary>The silo's address, as outcomes report it.</summary>
    public string Silo => _silo.SiloAddress.ToString();

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        // Stopping the Active stage comes first on shutdown: jobs stop before the grains deactivate.
        lifecycle.Subscribe(nameof(TrainingWorker), ServiceLifecycleStage.Active, _ => Task.CompletedTask, _ =>
        {
            _stopping.Cancel();
            return Task.CompletedTask;
        });
    }

    /// <summary>Runs job <paramref name="key"/>: never throws; every ending is an outcome.</summary>
    internal async Task<JobOutcome> RunAsync(string key, JobSpec spec, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var token = linked.Token;
        try
        {
            await _slots.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Statistics.OnInterrupted();
            return JobOutcome.Ended(Silo, JobStatus.Interrupted, "The job was stopped before it started.");
        }
        try
        {
            // Loading and checking a dataset and training are long: both run on the thread pool, off the grain's turn.
            return await Task.Run(() => ResolveAndTrain(key, spec, token, cancellationToken), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private JobOutcome ResolveAndTrain(string key, JobSpec spec, CancellationToken token, CancellationToken jobCancelled)
    {
        if (_results?.TryLoad(key) is { } stored)
        {
            Statistics.OnRestored(key);
            _logger.LogInformation("Job {Key} ('{Name}') restored: its outcome (trained on {Worker}) was stored", key, spec.Name, stored.Worker);
            return stored;
        }
        if (_options.TorchThreadsPerJob is { } threads && TorchSharp.torch.get_num_threads() != threads) TorchSharp.torch.set_num_threads(threads);
        var (data, refusal) = Resolve(spec);
        if (refusal is not null || data is null)
        {
            Statistics.OnRefused();
            _logger.LogWarning("Job {Key} ('{Name}') refused: {Reason}", key, spec.Name, refusal);
            return JobOutcome.Ended(Silo, JobStatus.Refused, refusal);
        }
        Statistics.OnStarted();
        _logger.LogInformation("Job {Key} ('{Name}') started", key, spec.Name);
        var outcome = Train(spec, data, token);
        // A job cancelled by its client (the run is over) is not stored: nobody will take its outcome.
        if (outcome.Status == JobStatus.Completed && _results is not null && !jobCancelled.IsCancellationRequested)
        {
            try
            {
                _results.Save(key, outcome);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The job is still complete; only its protection against this silo's loss is missing.
                _logger.LogWarning("Job {Key} ('{Name}'): its outcome could not be stored in {Directory}: {Reason}", key, spec.Name, _results.Directory, e.Message);
            }
        }
        Statistics.OnEnded(key, outcome.Status);
        if (outcome.Status == JobStatus.Completed) _logger.LogInformation("Job {Key} ('{Name}') completed", key, spec.Name);
        else _logger.LogInformation("Job {Key} ('{Name}') ended: {Status}", key, spec.Name, outcome.Status);
        return outcome;
    }

    private JobOutcome Train(JobSpec spec, LabeledData dataset, CancellationToken token)
    {
        try
        {
            using var shard = spec.Indices is null ? dataset.Slice(0, dataset.Count) : dataset.Subset(spec.Indices);
            var job = new TrainingJob(spec.Name, spec.ToRecipe(), shard, spec.SeedOffset);
            using var model = _trainer.TrainAll([job], cancellationToken: token)[0];
            using var weights = new MemoryStream();
            model.Classifier.Module.save(weights);
            return JobOutcome.Completed(Silo, weights.ToArray(), model.Training);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return JobOutcome.Ended(Silo, JobStatus.Interrupted, _stopping.IsCancellationRequested ? "The silo is shutting down." : "The job was cancelled.");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Job '{Name}' failed", spec.Name);
            return JobOutcome.Ended(Silo, JobStatus.Failed, e.Message, e.GetType().FullName);
        }
    }

    /// <summary>The client has job <paramref name="key"/>'s outcome, or has given the job up: its stored copy is deleted.</summary>
    internal void Forget(string key) => _results?.Delete(key);

    private (LabeledData? Data, string? Refusal) Resolve(JobSpec spec)
    {
        if (!_options.Datasets.TryGetValue(spec.Dataset, out var source))
            return (null, $"this worker serves no dataset '{spec.Dataset}' (it serves: {string.Join(", ", _options.Datasets.Keys.Order(StringComparer.Ordinal))}).");
        var (data, refusal) = _datasets.GetOrAdd(spec.Dataset, id => new Lazy<(LabeledData?, string?)>(() => LoadChecked(id, source))).Value;
        if (refusal is not null || data is null) return (null, refusal ?? $"the dataset '{spec.Dataset}' is not loaded.");
        if (spec.Indices is { } indices)
        {
            foreach (var i in indices)
            {
                if (i < 0 || i >= data.Count)
                    return (null, $"record index {i} is outside the dataset '{spec.Dataset}' ({data.Count} records).");
            }
        }
        return (data, null);
    }

    private (LabeledData?, string?) LoadChecked(string id, WorkerDataset source)
    {
        LabeledData data;
        try
        {
            data = source.Load() ?? throw new InvalidOperationException("the loader returned null");
        }
        catch (Exception e)
        {
            return (null, $"the dataset '{id}' could not be loaded: {e.Message}");
        }
        var report = source.Manifest.Verify(data);
        if (report.Intact)
        {
            _logger.LogInformation("Dataset '{Id}': {Count} records match their integrity manifest", id, data.Count);
            return (data, null);
        }
        data.Dispose();
        return (null, $"the dataset '{id}' does not match its integrity manifest ('{source.Manifest.Name}'): {report.Describe()}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The container may dispose the worker twice (as itself and as a lifecycle participant).
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stopping.Cancel();
        _stopping.Dispose();
        _slots.Dispose();
        foreach (var entry in _datasets.Values)
        {
            if (entry.IsValueCreated) entry.Value.Data?.Dispose();
        }
    }
}
