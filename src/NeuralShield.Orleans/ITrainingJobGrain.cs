using Orleans.Concurrency;

namespace NeuralShield.Orleans;

/// <summary>
/// One training job on the cluster, keyed by "run id/job index". The client long-polls <see cref="Run"/>: the first
/// call starts the job, every call waits up to a given time for its outcome. If the silo holding the grain is lost,
/// the next call activates the grain on another silo, which starts the job again from its spec.
/// </summary>
internal interface ITrainingJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job if it is not running, and waits up to <paramref name="wait"/> for its outcome (null: still running).</summary>
    Task<JobOutcome?> Run(JobSpec spec, TimeSpan wait);

    /// <summary>Stops the job between batches (interleaves with a waiting <see cref="Run"/>) and gives it up: a stored outcome is deleted.</summary>
    [AlwaysInterleave]
    Task Cancel();

    /// <summary>The client has the outcome: the grain deactivates and frees it.</summary>
    [AlwaysInterleave]
    Task Forget();
}
