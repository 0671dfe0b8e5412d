namespace NeuralShield.Reports;

/// <summary>A threat's verdict in two audits.</summary>
/// <param name="Before">The baseline's verdict.</param>
/// <param name="After">The later report's verdict.</param>
public sealed record VerdictChange(ThreatVerdict Before, ThreatVerdict After)
{
    /// <summary>Whether the severity changed.</summary>
    public bool Changed => Before.Severity != After.Severity;
}
