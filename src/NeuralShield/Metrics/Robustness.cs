namespace NeuralShield.Metrics;

/// <summary>Robustness numbers the papers report, computed once for every caller.</summary>
public static class Robustness
{
    /// <summary>
    /// DeepFool's ρ̂_adv (Moosavi-Dezfooli et al. 2016, eq. 15): the mean over the <paramref name="counted"/> samples [N]
    /// (bool) of ‖x_adv − x‖_p / ‖x‖_p in <paramref name="norm"/>. NaN when no sample is counted.
    /// </summary>
    public static double RelativePerturbation(Tensor adversarials, Tensor originals, Norm norm, Tensor counted)
    {
        ArgumentNullException.ThrowIfNull(counted);
        using var scope = NewDisposeScope();
        var distance = Distances.Of(norm, adversarials, originals).to_type(ScalarType.Float64);
        var x = originals.to_type(ScalarType.Float64);
        var size = Distances.Of(norm, x, zeros_like(x)).clamp_min(1e-12);
        return MeanOver(distance / size, counted);
    }

    /// <summary>
    /// The mean over the <paramref name="counted"/> samples [N] (bool) of the model's top-class probability on
    /// <paramref name="inputs"/> — Goodfellow et al.'s "average confidence" on the misclassified adversarials. NaN when none is counted.
    /// </summary>
    public static double MeanConfidence(IClassifier model, Tensor inputs, Tensor counted, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(model);
        Guard.Positive(batchSize, nameof(batchSize));
        using var scope = NewDisposeScope();
        var n = inputs.shape[0];
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += batchSize)
        {
            using var chunk = inputs.narrow(0, start, Math.Min(batchSize, n - start));
            parts.Add(model.PredictProbabilities(chunk).amax(1).to_type(ScalarType.Float64).cpu());
        }
        return MeanOver(cat(parts, 0), counted);
    }

    private static double MeanOver(Tensor values, Tensor counted)
    {
        var weights = counted.to(values.device).to_type(ScalarType.Float64);
        var total = weights.sum().item<double>();
        return total == 0 ? double.NaN : (values * weights).sum().item<double>() / total;
    }
}
