namespace NeuralShield.Reports;

/// <summary>The mean and range over seeds of the numbers a reproduction measured once per seed.</summary>
internal static class SeedSpread
{
    /// <summary>
    /// For each key that every seed's metrics hold and <paramref name="include"/> accepts: <c>key.mean</c>, <c>key.min</c>
    /// and <c>key.max</c> over the seeds (non-finite values make the key's entries NaN).
    /// </summary>
    /// <param name="perSeed">The metrics of each seed (at least one).</param>
    /// <param name="include">Which keys to summarise (null: every key).</param>
    /// <exception cref="ArgumentException">No seed given.</exception>
    public static IReadOnlyDictionary<string, double> Of(IReadOnlyList<IReadOnlyDictionary<string, double>> perSeed, Func<string, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(perSeed);
        if (perSeed.Count == 0) throw new ArgumentException("At least one seed's metrics are needed.", nameof(perSeed));
        var summary = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var key in perSeed[0].Keys.Where(k => (include is null || include(k)) && perSeed.All(s => s.ContainsKey(k))))
        {
            var values = perSeed.Select(s => s[key]).ToArray();
            var finite = values.All(double.IsFinite);
            summary[$"{key}.mean"] = finite ? values.Average() : double.NaN;
            summary[$"{key}.min"] = finite ? values.Min() : double.NaN;
            summary[$"{key}.max"] = finite ? values.Max() : double.NaN;
        }
        return summary;
    }
}
