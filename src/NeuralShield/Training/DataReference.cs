namespace NeuralShield.Training;

/// <summary>
/// Records of a named dataset: what a job's data are, said in a few bytes, so that a worker in another process can
/// load them itself (and check them against the dataset's <see cref="Defenses.Data.IntegrityManifest"/>).
/// </summary>
/// <param name="Dataset">The dataset's id, as the workers know it (e.g. "adult-train").</param>
/// <param name="Indices">The records, by position in the dataset, in order; null: all of them.</param>
public sealed record DataReference(string Dataset, IReadOnlyList<long>? Indices = null)
{
    /// <summary>The records at <paramref name="positions"/> of this reference (positions in its own order), as a reference into the same dataset.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A position is outside this reference.</exception>
    public DataReference Select(IReadOnlyList<long> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (Indices is null) return this with { Indices = positions.ToArray() };
        var selected = new long[positions.Count];
        for (var i = 0; i < selected.Length; i++)
        {
            var p = positions[i];
            if (p < 0 || p >= Indices.Count) throw new ArgumentOutOfRangeException(nameof(positions), p, $"Position {p} is outside the reference's {Indices.Count} records.");
            selected[i] = Indices[(int)p];
        }
        return this with { Indices = selected };
    }
}
