namespace NeuralShield.Metrics;

/// <summary>How well a sanitizer found the poisoned points: its flags against the indices the attacker changed.</summary>
/// <param name="Flagged">Points flagged by the defense.</param>
/// <param name="Poisoned">Points the attacker changed.</param>
/// <param name="TruePositives">Flagged points that were poisoned.</param>
/// <param name="Precision">TruePositives / Flagged (1 when nothing was flagged).</param>
/// <param name="Recall">TruePositives / Poisoned (1 when nothing was poisoned).</param>
public readonly record struct DetectionMetrics(int Flagged, int Poisoned, int TruePositives, double Precision, double Recall)
{
    /// <summary>Compares <paramref name="flagged"/> with the known <paramref name="poisoned"/> indices.</summary>
    public static DetectionMetrics Of(IReadOnlyCollection<long> flagged, IReadOnlyCollection<long> poisoned)
    {
        ArgumentNullException.ThrowIfNull(flagged);
        ArgumentNullException.ThrowIfNull(poisoned);
        var truth = poisoned as ISet<long> ?? new HashSet<long>(poisoned);
        var flags = new HashSet<long>(flagged);
        var tp = flags.Count(truth.Contains);
        return new DetectionMetrics(flags.Count, truth.Count, tp,
            flags.Count == 0 ? 1.0 : (double)tp / flags.Count,
            truth.Count == 0 ? 1.0 : (double)tp / truth.Count);
    }
}
