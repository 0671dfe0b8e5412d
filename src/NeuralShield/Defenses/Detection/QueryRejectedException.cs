namespace NeuralShield.Defenses.Detection;

/// <summary>Thrown by a <see cref="MonitoredClassifier"/> that refuses a batch of queries.</summary>
public sealed class QueryRejectedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public QueryRejectedException(string message, long flagged) : base(message) => Flagged = flagged;

    /// <summary>The number of queries of the refused batch that were flagged.</summary>
    public long Flagged { get; }
}
