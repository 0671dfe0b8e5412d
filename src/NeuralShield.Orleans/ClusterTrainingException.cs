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
