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
    private readonly long[] _removed;

    /// <summary>Takes ownership of <paramref name="cleaned"/>.</summary>
    /// <param name="defense">The defense's name.</param>
    /// <param name="flagged">Indices of the inspected set flagged as poisoned.</param>
    /// <param name="cleaned">The sanitized copy.</param>
    /// <param name="action">What was done with the flagged points.</param>
    /// <param name="scores">Per-point suspicion scores, when the defense computes them.</param>
    /// <param name="removed">
    /// Indices of the inspected set left out of <paramref name="cleaned"/>, a subset of <paramref name="flagged"/>; null:
    /// every flagged point for <see cref="SanitizeAction.Remove"/>, none for <see cref="SanitizeAction.Relabel"/>. Required
    /// for <see cref="SanitizeAction.RelabelOrRemove"/>.
    /// </param>
    /// <exception cref="ArgumentException">A removed index is not flagged, or <paramref name="removed"/> is missing for <see cref="SanitizeAction.RelabelOrRemove"/>.</exception>
    public SanitizationReport(string defense, IEnumerable<long> flagged, LabeledData cleaned, SanitizeAction action, IReadOnlyList<double>? scores = null, IEnumerable<long>? removed = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defense);
        ArgumentNullException.ThrowIfNull(flagged);
        ArgumentNullException.ThrowIfNull(cleaned);
        _flagged = flagged.Distinct().Order().ToArray();
        if (removed is null && action == SanitizeAction.RelabelOrRemove)
            throw new ArgumentException("A relabel-or-remove report needs the indices it removed.", nameof(removed));
        _removed = removed?.Distinct().Order().ToArray() ?? (action == SanitizeAction.Remove ? _flagged : []);
        if (_removed.Except(_flagged).Any())
            throw new ArgumentException("Every removed index must also be flagged.", nameof(removed));
        Defense = defense;
        Cleaned = cleaned;
        Action = action;
        Scores = scores;
    }

    /// <summary>The defense's name.</summary>
    public string Defense { get; }

    /// <summary>Indices of the inspected set flagged as poisoned, increasing.</summary>
    public IReadOnlyList<long> Flagged => _flagged;

    /// <summary>
    /// Indices of the inspected set left out of <see cref="Cleaned"/>, increasing: every flagged point when removing, none
    /// when relabelling. The cleaned copy holds the other points in their original order.
    /// </summary>
    public IReadOnlyList<long> Removed => _removed;

    /// <summary>
    /// For each row of <see cref="Cleaned"/>, its index in the inspected set (increasing): the rows left after
    /// <see cref="Removed"/>. Maps a cleaned point back to the point it came from.
    /// </summary>
    public IReadOnlyList<long> Kept
    {
        get
        {
            var removed = new HashSet<long>(_removed);
            return Enumerable.Range(0, (int)(Cleaned.Count + _removed.Length)).Select(i => (long)i).Where(i => !removed.Contains(i)).ToArray();
        }
    }

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
