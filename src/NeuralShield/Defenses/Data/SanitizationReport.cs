using NeuralShield.Attacks.Poisoning;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// What a sanitizer found in a training set: the indices it flagged (increasing), a per-point suspicion score where
/// the defense has one, the cleaned copy (owned: disposing the report disposes it) and, when the poisoned indices were
/// known, precision and recall of the flags.
/// </summary>
public sealed class SanitizationReport : IDisposable
{
    private readonly long[] _flagged;

    /// <summary>Takes ownership of <paramref name="cleaned"/>.</summary>
    public SanitizationReport(string defense, IEnumerable<long> flagged, LabeledData cleaned, SanitizeAction action, IReadOnlyList<double>? scores = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defense);
        ArgumentNullException.ThrowIfNull(flagged);
        ArgumentNullException.ThrowIfNull(cleaned);
        Defense = defense;
        _flagged = flagged.Distinct().Order().ToArray();
        Cleaned = cleaned;
        Action = action;
        Scores = scores;
    }

    /// <summary>The defense's name.</summary>
    public string Defense { get; }

    /// <summary>Indices of the inspected set flagged as poisoned, increasing.</summary>
    public IReadOnlyList<long> Flagged => _flagged;

    /// <summary>Per-point suspicion scores of the inspected set (higher: more suspicious), when the defense computes them.</summary>
    public IReadOnlyList<double>? Scores { get; }

    /// <summary>The sanitized training set (flagged points removed or relabelled, see <see cref="Action"/>).</summary>
    public LabeledData Cleaned { get; }

    /// <summary>What was done with the flagged points.</summary>
    public SanitizeAction Action { get; }

    /// <summary>Precision and recall against the known poisoned indices, when the set was inspected as <see cref="PoisonedData"/>.</summary>
    public DetectionMetrics? Detection { get; private set; }

    /// <summary>Precision and recall of the flags against <paramref name="poisonIndices"/>.</summary>
    public DetectionMetrics Evaluate(IReadOnlyCollection<long> poisonIndices) => DetectionMetrics.Of(_flagged, poisonIndices);

    internal SanitizationReport WithKnownPoison(IReadOnlyCollection<long> poisonIndices)
    {
        Detection = Evaluate(poisonIndices);
        return this;
    }

    /// <inheritdoc />
    public void Dispose() => Cleaned.Dispose();
}
