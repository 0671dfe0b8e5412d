namespace NeuralShield.Reports;

/// <summary>One run of two audits side by side: its headline metric before and after.</summary>
/// <param name="Model">The model (the later report's name).</param>
/// <param name="Key">The entry key (or the attack's name).</param>
/// <param name="Defense">The output defense of the run, when it had one.</param>
/// <param name="Metric">The headline metric compared (robust accuracy, success, AUC, classes fooled, transfer success, backdoor success, accuracy after, clean accuracy).</param>
/// <param name="Before">Its value in the baseline; null when the baseline has no such run.</param>
/// <param name="After">Its value in the later report; null when that report has no such run.</param>
public sealed record RunDelta(string Model, string Key, string? Defense, string Metric, double? Before, double? After)
{
    /// <summary>After − before; null unless both are known.</summary>
    public double? Delta => Before is { } b && After is { } a && double.IsFinite(a - b) ? a - b : null;
}
