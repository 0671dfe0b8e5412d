namespace NeuralShield.Defenses.Detection;

/// <summary>What a <see cref="MonitoredClassifier"/> does with a batch in which the detector flags a query.</summary>
public enum DetectionResponse
{
    /// <summary>Answer as usual and record the flags (<see cref="MonitoredClassifier.FlaggedQueries"/>).</summary>
    Record,

    /// <summary>Refuse the whole batch with a <see cref="QueryRejectedException"/>.</summary>
    Reject,
}
