using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace NeuralShield.Orleans;

/// <summary>Counts of what a silo's worker did with the jobs it was given (thread-safe).</summary>
public sealed class TrainingWorkerStatistics
{
    private readonly ConcurrentQueue<string> _completed = new();
    private readonly ConcurrentQueue<string> _restored = new();
    private int _started;
    private int _running;
    private int _refused;
    private int _failed;
    private int _interrupted;

    /// <summary>Jobs that began training here.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Jobs training here now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Jobs trained to completion here.</summary>
    public int Completed => _completed.Count;

    /// <summary>The keys ("run/index") of the jobs trained to completion here, in completion order.</summary>
    public IReadOnlyList<string> CompletedJobs => _completed.ToArray();

    /// <summary>Jobs whose stored outcome (<see cref="TrainingWorkerOptions.ResultDirectory"/>) this worker returned instead of training them.</summary>
    public int Restored => _restored.Count;

    /// <summary>The keys of the jobs this worker restored from stored outcomes, in order.</summary>
    public IReadOnlyList<string> RestoredJobs => _restored.ToArray();

    /// <summary>Jobs refused before training (integrity check, unknown dataset, bad indices).</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Jobs whose training threw.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Jobs stopped by the silo shutting down or by cancellation, while training or waiting for their turn.</summary>
    public int Interrupted => Volatile.Read(ref _interrupted);

    internal void OnStarted()
    {
        Interlocked.Increment(ref _started);
        Interlocked.Increment(ref _running);
    }

    internal void OnEnded(string key, JobStatus status)
    {
        Interlocked.Decrement(ref _running);
        switch (status)
        {
            case JobStatus.Completed: _completed.Enqueue(key); break;
            case JobStatus.Failed: Interlocked.Increment(ref _failed); break;
            default: OnInterrupted(); break;
        }
    }

    internal void OnRefused() => Interlocked.Increment(ref _refused);

    internal void OnRestored(string key) => _restored.Enqueue(key);

    internal void OnInterrupted() => Interlocked.Increment(ref _interrupted);
}
