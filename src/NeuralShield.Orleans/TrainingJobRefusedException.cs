namespace NeuralShield.Orleans;

/// <summary>A worker refused a job before training it: its data failed their integrity check, the dataset is unknown, or an index is out of range.</summary>
public sealed class TrainingJobRefusedException : ClusterTrainingException
{
    /// <summary>The refusal of job <paramref name="jobIndex"/> for <paramref name="reason"/>.</summary>
    public TrainingJobRefusedException(int jobIndex, string jobName, string reason)
        : base(jobIndex, jobName, $"Job {jobIndex} ('{jobName}') was refused by the worker: {reason}") => Reason = reason;

    /// <summary>The worker's reason.</summary>
    public string Reason { get; }
}
