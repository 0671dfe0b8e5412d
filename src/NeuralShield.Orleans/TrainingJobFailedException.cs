namespace NeuralShield.Orleans;

/// <summary>A job's training threw on its worker (e.g. a non-finite loss).</summary>
public sealed class TrainingJobFailedException : ClusterTrainingException
{
    /// <summary>The failure of job <paramref name="jobIndex"/>: the worker's exception type and message.</summary>
    public TrainingJobFailedException(int jobIndex, string jobName, string? errorType, string error)
        : base(jobIndex, jobName, $"Job {jobIndex} ('{jobName}') failed on its worker: {error}{(errorType is null ? "" : $" ({errorType})")}") => ErrorType = errorType;

    /// <summary>The full name of the exception the worker caught.</summary>
    public string? ErrorType { get; }
}
