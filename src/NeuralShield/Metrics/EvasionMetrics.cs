namespace NeuralShield.Metrics;

/// <summary>Summary numbers of one evasion run.</summary>
/// <param name="SampleCount">Number of samples attacked.</param>
/// <param name="SuccessRate">Share of samples whose adversarial meets the goal (checked by the library on the model).</param>
/// <param name="MeanL0">Mean number of changed features over successful samples (NaN when none succeeded).</param>
/// <param name="MeanL0Fraction">Mean fraction of features changed over successful samples (NaN when none succeeded).</param>
/// <param name="MeanL2">Mean L2 perturbation over successful samples (NaN when none succeeded).</param>
/// <param name="MeanLInf">Mean L∞ perturbation over successful samples (NaN when none succeeded).</param>
/// <param name="MeanL0FractionAll">Mean fraction of features changed over all samples.</param>
/// <param name="Queries">Samples the attack sent to the model (excluding the library's final success check).</param>
/// <param name="Elapsed">Wall-clock time of the attack, including the success check.</param>
public readonly record struct EvasionMetrics(
    int SampleCount, double SuccessRate, double MeanL0, double MeanL0Fraction, double MeanL2, double MeanLInf,
    double MeanL0FractionAll, long Queries, TimeSpan Elapsed)
{
    /// <summary>
    /// The summary of per-sample success [N] (bool) and distances [N] of adversarials to their originals, each sample of
    /// <paramref name="featureCount"/> features. Means of distances are over the successful samples.
    /// </summary>
    public static EvasionMetrics Summarise(Tensor success, Tensor l0, Tensor l2, Tensor lInf, long featureCount, long queries, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(success);
        ArgumentNullException.ThrowIfNull(l0);
        ArgumentNullException.ThrowIfNull(l2);
        ArgumentNullException.ThrowIfNull(lInf);
        using var scope = NewDisposeScope();
        var n = (int)success.shape[0];
        var features = (double)featureCount;
        var ok = success.to_type(ScalarType.Float64).cpu();
        var successes = ok.sum().item<double>();
        double MeanOverSuccess(Tensor d) => successes == 0 ? double.NaN : (d.to_type(ScalarType.Float64).cpu() * ok).sum().item<double>() / successes;
        var meanL0 = MeanOverSuccess(l0);
        return new EvasionMetrics(
            n, n == 0 ? double.NaN : successes / n,
            meanL0, meanL0 / features, MeanOverSuccess(l2), MeanOverSuccess(lInf),
            l0.to_type(ScalarType.Float64).mean().item<double>() / features, queries, elapsed);
    }

    /// <summary>The summary of adversarials against their originals (both [N, ...]) given per-sample success [N].</summary>
    public static EvasionMetrics Of(Tensor adversarials, Tensor originals, Tensor success, long queries, TimeSpan elapsed)
    {
        using var l0 = Distances.L0(adversarials, originals);
        using var l2 = Distances.L2(adversarials, originals);
        using var lInf = Distances.LInf(adversarials, originals);
        return Summarise(success, l0, l2, lInf, originals[0].numel(), queries, elapsed);
    }
}
