using NeuralShield.Reports;

namespace NeuralShield.Reproductions;

/// <summary>
/// <c>--variant seeds=0,1,2,7</c> for a reproduction measured once per seed: each seed run in turn, its metrics under
/// <c>seedS.</c>, and the mean and range over the seeds of the keys asked for (<c>KEY.mean</c>, <c>.min</c>, <c>.max</c>).
/// </summary>
internal static class SeedSweep
{
    /// <summary>
    /// Runs <paramref name="runSeed"/> once per seed of the context's <c>seeds</c> variant (the other variants passed on;
    /// <c>export=DIR</c> becomes DIR/seedS), or returns null when that variant is not given.
    /// </summary>
    /// <param name="context">The reproduction's context.</param>
    /// <param name="name">The reproduction's name (of the report).</param>
    /// <param name="runSeed">One seed's run, given the context with that seed.</param>
    /// <param name="summarised">Which of a seed's metric keys get a mean and range over the seeds.</param>
    /// <exception cref="ReproductionSettingException">The seeds variant is not a non-empty comma-separated list of integers.</exception>
    public static ReproductionReport? Run(ReproductionContext context, string name, Func<ReproductionContext, ReproductionReport> runSeed, Func<string, bool> summarised)
    {
        if (context.Variants is null || !context.Variants.TryGetValue("seeds", out var list)) return null;
        long[] seeds;
        try
        {
            seeds = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).Distinct().ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ReproductionSettingException($"--variant seeds must be a comma-separated list of integers; got '{list}'.");
        }
        if (seeds.Length == 0) throw new ReproductionSettingException("--variant seeds must name at least one seed.");
        var total = Stopwatch.StartNew();
        var report = new ReproductionReport(name);
        var perSeed = new List<IReadOnlyDictionary<string, double>>();
        foreach (var seed in seeds)
        {
            var variants = context.Variants.Where(v => v.Key != "seeds")
                .ToDictionary(v => v.Key, v => v.Key == "export" ? Path.Combine(v.Value, $"seed{seed}") : v.Value);
            context.Log.WriteLine($"seed {seed}:");
            var one = runSeed(context with { Seed = seed, Variants = variants });
            foreach (var (key, value) in one.Metrics) report.Metrics[$"seed{seed}.{key}"] = value;
            foreach (var (key, value) in one.Setting) report.Setting[key] = value;
            foreach (var (key, value) in one.Paper) report.Paper[key] = value;
            foreach (var record in one.Records) report.Records.Add(record with { Model = $"{record.Model} (seed {seed})" });
            if (one.Setting.TryGetValue("wall_seconds", out var seconds)) report.Setting[$"wall_seconds.seed{seed}"] = seconds;
            perSeed.Add(one.Metrics);
        }
        foreach (var (key, value) in SeedSpread.Of(perSeed, summarised)) report.Metrics[key] = value;
        report.Setting["seed"] = string.Join(",", seeds);
        report.Setting["wall_seconds"] = Math.Round(total.Elapsed.TotalSeconds);
        report.Setting["seeds"] = "seedS.*: seed S's metrics; KEY.mean / KEY.min / KEY.max: over the seeds";
        return report;
    }
}
