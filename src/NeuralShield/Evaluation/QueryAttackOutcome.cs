namespace NeuralShield.Evaluation;

/// <summary>A score-based attack on the correctly classified samples of a set (<see cref="QueryAttackEvaluation"/>).</summary>
/// <param name="Samples">Samples in the set.</param>
/// <param name="CleanAccuracy">Share of them classified correctly (the ones attacked).</param>
/// <param name="SuccessRate">Share of the attacked samples fooled within the budget.</param>
/// <param name="MedianQueries">Median queries over the fooled samples (the initial query included; NaN when none was fooled).</param>
/// <param name="MeanQueries">Mean queries over the fooled samples (NaN when none was fooled).</param>
/// <param name="MaxQueries">The per-sample budget.</param>
/// <param name="TotalQueries">Queries the attack sent in all.</param>
/// <param name="Elapsed">Wall-clock time of the attack.</param>
public sealed record QueryAttackOutcome(int Samples, double CleanAccuracy, double SuccessRate, double MedianQueries, double MeanQueries,
    long MaxQueries, long TotalQueries, TimeSpan Elapsed)
{
    /// <summary>The attack's own metrics on the attacked (correctly classified) samples: success, distances, queries; null when none was attacked.</summary>
    public EvasionMetrics? Metrics { get; init; }
}
