namespace NeuralShield.Reports;

/// <summary>The summary of one threat of an audit: its severity, the number that decides it, a sentence, and the defense that addresses it.</summary>
/// <param name="Threat">The threat.</param>
/// <param name="Severity">Its severity under <see cref="ThreatVerdicts"/>' thresholds.</param>
/// <param name="Metric">What the deciding number is (e.g. "robust accuracy, PGD L∞ ε = 0.1 (mlp)").</param>
/// <param name="Value">The deciding number; null when not assessed.</param>
/// <param name="Sentence">The finding in a plain sentence.</param>
/// <param name="Thresholds">The thresholds and where they come from, in a line.</param>
/// <param name="Defense">The defense that addresses the threat.</param>
/// <param name="DefensePage">Its documentation page, relative to the repository root.</param>
public sealed record ThreatVerdict(Threat Threat, Severity Severity, string Metric, double? Value, string Sentence, string Thresholds, string Defense, string DefensePage)
{
    /// <summary>The verdict in words: "at risk" (high), "some risk" (medium), "low risk", "not assessed".</summary>
    public string Verdict => Severity switch
    {
        Severity.High => "at risk",
        Severity.Medium => "some risk",
        Severity.Low => "low risk",
        _ => "not assessed",
    };
}
