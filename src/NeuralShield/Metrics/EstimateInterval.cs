namespace NeuralShield.Metrics;

/// <summary>A point estimate with a two-sided confidence interval around it.</summary>
/// <param name="Estimate">The estimate (a mean or a proportion).</param>
/// <param name="Lower">Lower end of the interval.</param>
/// <param name="Upper">Upper end of the interval.</param>
/// <param name="Count">Observations behind it (seeds, trials).</param>
public readonly record struct EstimateInterval(double Estimate, double Lower, double Upper, int Count)
{
    /// <summary>Whether <paramref name="value"/> lies inside [Lower, Upper].</summary>
    public bool Contains(double value) => value >= Lower && value <= Upper;
}
