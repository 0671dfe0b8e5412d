using MathNet.Numerics.Distributions;

namespace NeuralShield.Metrics;

/// <summary>Confidence intervals for the numbers the library reports over seeds or trials.</summary>
public static class ConfidenceIntervals
{
    /// <summary>
    /// The exact (Clopper–Pearson) interval of a binomial proportion: <paramref name="successes"/> out of
    /// <paramref name="trials"/>, at two-sided confidence <paramref name="level"/>. The ends are quantiles of Beta
    /// distributions: lower = B(α/2; k, n−k+1) (0 when k = 0), upper = B(1−α/2; k+1, n−k) (1 when k = n).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">trials not positive, successes outside [0, trials], level outside (0, 1).</exception>
    public static EstimateInterval ClopperPearson(long successes, long trials, double level = 0.95)
    {
        if (trials <= 0) throw new ArgumentOutOfRangeException(nameof(trials), trials, $"{nameof(trials)} must be positive.");
        if (successes < 0 || successes > trials)
            throw new ArgumentOutOfRangeException(nameof(successes), successes, $"{nameof(successes)} must lie in [0, {trials}].");
        Level(level);
        var alpha = 1 - level;
        double k = successes, n = trials;
        var lower = successes == 0 ? 0.0 : Beta.InvCDF(k, n - k + 1, alpha / 2);
        var upper = successes == trials ? 1.0 : Beta.InvCDF(k + 1, n - k, 1 - alpha / 2);
        return new EstimateInterval(k / n, lower, upper, checked((int)Math.Min(trials, int.MaxValue)));
    }

    /// <summary>
    /// The Student-t interval of the mean of <paramref name="values"/> (mean ± t(1−α/2, n−1)·s/√n, s the sample standard
    /// deviation) at two-sided confidence <paramref name="level"/>; a single value gives the interval [value, value].
    /// </summary>
    /// <exception cref="ArgumentException">No values, or a value that is not finite.</exception>
    public static EstimateInterval Mean(IReadOnlyList<double> values, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException($"{nameof(values)} must hold at least one value.", nameof(values));
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException($"{nameof(values)} must all be finite.", nameof(values));
        Level(level);
        var n = values.Count;
        var mean = values.Average();
        if (n == 1) return new EstimateInterval(mean, mean, mean, 1);
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        var half = StudentT.InvCDF(0, 1, n - 1, 1 - (1 - level) / 2) * Math.Sqrt(variance / n);
        return new EstimateInterval(mean, mean - half, mean + half, n);
    }

    private static void Level(double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, $"{nameof(level)} must lie in (0, 1).");
    }
}
