namespace NeuralShield.Reports;

/// <summary>How much a threat's deciding number puts the model at risk (<see cref="ThreatVerdicts"/> documents the thresholds).</summary>
public enum Severity
{
    /// <summary>No run of the audit measured the threat (not selected, skipped, or failed).</summary>
    NotAssessed,

    /// <summary>Below every threshold.</summary>
    Low,

    /// <summary>Over the medium threshold.</summary>
    Medium,

    /// <summary>Over the high threshold.</summary>
    High,
}
