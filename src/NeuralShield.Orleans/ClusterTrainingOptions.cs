using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;

namespace NeuralShield.Orleans;

/// <summary>Settings of a <see cref="ClusterTrainingService"/>.</summary>
public sealed class ClusterTrainingOptions
{
    /// <summary>How long one call to a job's grain waits for the outcome before asking again (the long poll). Default 10 s; below the client's response timeout.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Times a job is tried when its silo is lost or unreachable before the run fails. Default 20: with
    /// <see cref="RetryDelay"/>'s back-off about two minutes, which covers the time membership takes to declare a killed
    /// silo dead (about 30 s with development clustering's defaults), during which calls to its grains keep failing.
    /// </summary>
    public int MaxAttempts { get; set; } = 20;

    /// <summary>Wait before the first retry; doubled after each, up to 8 s. Default 0.2 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    internal ClusterTrainingOptions Checked()
    {
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "PollInterval must be positive.");
        if (MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be positive.");
        if (RetryDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "RetryDelay must not be negative.");
        return new ClusterTrainingOptions { PollInterval = PollInterval, MaxAttempts = MaxAttempts, RetryDelay = RetryDelay };
    }
}
