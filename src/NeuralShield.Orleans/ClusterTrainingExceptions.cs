namespace NeuralShield.Orleans;

/// <summary>A job of a cluster run did not train; the message names the job and why.</summary>
public class ClusterTrainingException : Exception
{
    /// <summary>The exception for job <paramref name="jobIndex"/> (<paramref name="jobName"/>).</summary>
    public ClusterTrainingException(int jobIndex, string jobName, string message, Exception? inner = null) : base(message, inner)
    {
        JobIndex = jobIndex;
        JobName = jobName;
    }

    /// <summary>The job's position in the run.</summary>
    public int JobIndex { get; }

    /// <summary>The job's name.</summary>
    public string JobName { get; }
}

/// <summary>A worker refused a job before training it: its data failed their integrity check, the dataset is unknown, or an index is out of range.</summary>
public sealed class TrainingJobRefusedException : ClusterTrainingException
{
    /// <summary>The refusal of job <paramref name="jobIndex"/> for <paramref name="reason"/>.</summary>
    public TrainingJobRefusedException(int jobIndex, string jobName, string reason)
        : base(jobIndex, jobName, $"Job {jobIndex} ('{jobName}') was refused by the worker: {reason}") => Reason = reason;

    /// <summary>The worker's reason.</summary>
    public string Reason { get; }
}

/// <summary>A job's training threw on its worker (e.g. a non-finite loss).</summary>
public sealed class TrainingJobFailedException : ClusterTrainingException
{
    /// <summary>The failure of job <paramref name="jobIndex"/>: the worker's exception type and message.</summary>
    public TrainingJobFailedException(int jobIndex, string jobName, string? errorType, string error)
        : base(jobIndex, jobName, $"Job {jobIndex} ('{jobName}') failed on its worker: {error}{(errorType is null ? "" : $" ({errorType})")}") => ErrorType = errorType;

    /// <summary>The full name of the exception the worker caught.</summary>
    public string? ErrorType { get; }
}
