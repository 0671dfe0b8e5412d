using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralShield.Models;
using NeuralShield.Training;
using Orleans.Runtime;

namespace NeuralShield.Orleans;

/// <summary>
/// <see cref="IModelTrainingService"/> on an Orleans cluster whose silos run <see cref="ModelTrainingSiloExtensions.AddModelTraining"/>:
/// one grain per job, placed round-robin over the silos; a job carries its recipe by name and settings and its data by
/// reference (<see cref="TrainingJob.Source"/>), and comes back as TorchSharp-serialised weights that are loaded into
/// the recipe's architecture here. A job lost with its silo is retried on another; every job is trained into the
/// result exactly once, results come back in job order, and on failure or cancellation nothing is leaked.
/// </summary>
/// <remarks>
/// Jobs must have a zoo architecture (<c>Architecture = zooArchitecture.Create</c>), plain cross-entropy (no step), no
/// early stopping and a <see cref="TrainingJob.Source"/> naming a dataset the silos serve.
/// <code>
/// await using var cluster = await ClusterTrainingService.ConnectAsync([new IPEndPoint(IPAddress.Loopback, 30000)]);
/// shadowOptions.TrainingService = cluster;
/// shadowOptions.PoolSource = new DataReference("adult-train", poolIndices);
/// </code>
/// </remarks>
public sealed class ClusterTrainingService : IModelTrainingService, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(8);
    private readonly IGrainFactory _grains;
    private readonly ClusterTrainingOptions _options;
    private readonly ILogger _logger;
    private readonly IHost? _ownedHost;

    /// <summary>A service that sends jobs through <paramref name="grains"/> (e.g. an <see cref="IClusterClient"/>).</summary>
    public ClusterTrainingService(IGrainFactory grains, ClusterTrainingOptions? options = null, ILogger? logger = null)
        : this(grains, options, logger, null)
    {
    }

    private ClusterTrainingService(IGrainFactory grains, ClusterTrainingOptions? options, ILogger? logger, IHost? ownedHost)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
        _options = (options ?? new ClusterTrainingOptions()).Checked();
        _logger = logger ?? NullLogger.Instance;
        _ownedHost = ownedHost;
    }

    /// <summary>
    /// Connects a client to the cluster through <paramref name="gateways"/> (static gateway list) and returns a service
    /// that owns it (dispose the service to disconnect).
    /// </summary>
    /// <param name="gateways">The silos' gateway endpoints.</param>
    /// <param name="clusterId">The cluster id the silos were started with.</param>
    /// <param name="serviceId">The service id the silos were started with.</param>
    /// <param name="options">Polling and retry settings.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    public static async Task<ClusterTrainingService> ConnectAsync(IReadOnlyList<IPEndPoint> gateways, string clusterId = "neuralshield", string serviceId = "neuralshield",
        ClusterTrainingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        if (gateways.Count == 0) throw new ArgumentException("At least one gateway endpoint is needed.", nameof(gateways));
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gateways.ToArray());
            client.Configure<global::Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return new ClusterTrainingService(host.Services.GetRequiredService<IClusterClient>(), options, null, host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>A copy of the settings.</summary>
    public ClusterTrainingOptions Options => _options.Checked();

    /// <inheritdoc />
    public IReadOnlyList<TrainedModel> TrainAll(IReadOnlyList<TrainingJob> jobs, IProgress<TrainingJobReport>? progress = null, CancellationToken cancellationToken = default) =>
        // Off the caller's synchronisation context, so that blocking here cannot deadlock the awaits inside.
        Task.Run(() => TrainAllAsync(jobs, progress, cancellationToken), CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The asynchronous form of <see cref="TrainAll"/>.</summary>
    /// <exception cref="ArgumentException">A job cannot run on a worker (the message names the job and why).</exception>
    /// <exception cref="TrainingJobRefusedException">A worker refused a job (e.g. its data failed their integrity check).</exception>
    /// <exception cref="TrainingJobFailedException">A job's training threw on its worker.</exception>
    /// <exception cref="ClusterTrainingException">A job was lost <see cref="ClusterTrainingOptions.MaxAttempts"/> times.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<IReadOnlyList<TrainedModel>> TrainAllAsync(IReadOnlyList<TrainingJob> jobs, IProgress<TrainingJobReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var specs = new JobSpec[jobs.Count];
        for (var i = 0; i < jobs.Count; i++) specs[i] = JobSpec.From(jobs[i], i);
        cancellationToken.ThrowIfCancellationRequested();
        var run = Guid.NewGuid().ToString("N");
        var models = new TrainedModel?[jobs.Count];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var releases = new System.Collections.Concurrent.ConcurrentQueue<Task>();
        var pending = Enumerable.Range(0, jobs.Count).Select(i => RunJobAsync(run, i, specs[i], releases, stop.Token)).ToList();
        try
        {
            var completed = 0;
            await foreach (var finished in Task.WhenEach(pending).WithCancellation(CancellationToken.None).ConfigureAwait(false))
            {
                var (index, outcome) = await finished.ConfigureAwait(false);
                if (models[index] is not null) continue; // a duplicate completion is dropped
                models[index] = Load(jobs[index], outcome);
                completed++;
                progress?.Report(new TrainingJobReport(index, jobs[index].Name, completed, jobs.Count, jobs[index].Data.Count, models[index]!.Training));
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
            }
            catch
            {
                // The first failure is the one rethrown below; the others are its consequences.
            }
            foreach (var m in models) m?.Dispose();
            throw;
        }
        // Every outcome taken is released (the workers delete a stored copy); a release whose silo was lost is retried
        // on the silo that takes the grain over. Normally done in milliseconds; the run does not wait longer than a poll.
        var released = Task.WhenAll(releases);
        if (await Task.WhenAny(released, Task.Delay(_options.PollInterval, CancellationToken.None)).ConfigureAwait(false) != released)
            _logger.LogWarning("Run {Run}: not every job was released within {Wait}; a worker may keep a stored outcome", run, _options.PollInterval);
        return models.Select(m => m!).ToArray();
    }

    private async Task<(int Index, JobOutcome Outcome)> RunJobAsync(string run, int index, JobSpec spec, System.Collections.Concurrent.ConcurrentQueue<Task> releases,
        CancellationToken cancellationToken)
    {
        var grain = _grains.GetGrain<ITrainingJobGrain>($"{run}/{index}");
        try
        {
            var result = await PollAsync(grain, index, spec, cancellationToken).ConfigureAwait(false);
            releases.Enqueue(ReleaseAsync(grain));
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over (cancelled, or another job failed): the grain stops training between batches.
            _ = Quietly(grain.Cancel());
            throw;
        }
    }

    private async Task<(int Index, JobOutcome Outcome)> PollAsync(ITrainingJobGrain grain, int index, JobSpec spec, CancellationToken cancellationToken)
    {
        var attempts = 0;
        var delay = _options.RetryDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            JobOutcome? outcome;
            string? lost = null;
            try
            {
                outcome = await grain.Run(spec, _options.PollInterval).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                outcome = null;
                lost = e.Message;
            }
            if (outcome?.Status == JobStatus.Interrupted) lost = $"interrupted on {outcome.Worker}: {outcome.Error}";
            if (lost is not null)
            {
                attempts++;
                _logger.LogWarning("Job {Index} ('{Name}'), attempt {Attempt}: {Reason}", index, spec.Name, attempts, lost);
                if (attempts >= _options.MaxAttempts)
                    throw new ClusterTrainingException(index, spec.Name, $"Job {index} ('{spec.Name}') was lost {attempts} times; last: {lost}");
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Backoff(delay);
                continue;
            }
            if (outcome is null) continue; // still training: ask again
            switch (outcome.Status)
            {
                case JobStatus.Completed:
                    return (index, outcome);
                case JobStatus.Refused:
                    throw new TrainingJobRefusedException(index, spec.Name, outcome.Error ?? "no reason given");
                default:
                    throw new TrainingJobFailedException(index, spec.Name, outcome.ErrorType, outcome.Error ?? "no message");
            }
        }
    }

    private static TrainedModel Load(TrainingJob job, JobOutcome outcome)
    {
        var module = job.Recipe.Create(job.SeedOffset);
        try
        {
            using (var weights = new MemoryStream(outcome.Weights ?? []))
                module.load(weights);
            return new TrainedModel(new TorchClassifier(module, job.Data.ClassCount, job.Recipe.Bounds, job.Data.SampleShape, ownsModule: true), outcome.ToTrainingResult());
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>The next wait between retries: doubled, at most <see cref="MaxRetryDelay"/>.</summary>
    private static TimeSpan Backoff(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));

    /// <summary>Tells the job's grain that its outcome is taken, retrying while its silo is being replaced; never throws.</summary>
    private async Task ReleaseAsync(ITrainingJobGrain grain)
    {
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grain.Forget().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when ((e is OrleansException or TimeoutException) && attempt < _options.MaxAttempts)
            {
                await Task.Delay(delay, CancellationToken.None).ConfigureAwait(false);
                delay = Backoff(delay);
            }
            catch
            {
                return; // best effort: the job's outcome is already the caller's
            }
        }
    }

    private static async Task Quietly(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch
        {
            // Best effort: a grain that is gone has nothing left to cancel or free.
        }
    }

    /// <summary>The blocking form of <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();

    /// <summary>Disconnects the client this service owns (from <see cref="ConnectAsync"/>); nothing otherwise.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownedHost is null) return;
        await _ownedHost.StopAsync().ConfigureAwait(false);
        _ownedHost.Dispose();
    }
}
