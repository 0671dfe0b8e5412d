namespace NeuralShield.Attacks.Inference;

/// <summary>The Gaussian fits of one example's logit-scaled confidence over the shadows.</summary>
/// <param name="MeanIn">Mean of φ over the shadows trained on the example.</param>
/// <param name="VarianceIn">Variance of φ over those shadows (population), or the global one.</param>
/// <param name="MeanOut">Mean of φ over the shadows that held it out.</param>
/// <param name="VarianceOut">Variance over those shadows, or the global one.</param>
/// <param name="InCount">Shadows trained on the example.</param>
/// <param name="OutCount">Shadows that held it out.</param>
public readonly record struct LiraGaussians(double MeanIn, double VarianceIn, double MeanOut, double VarianceOut, int InCount, int OutCount)
{
    /// <summary>The online score log N(φ; μ_in, σ²_in) − log N(φ; μ_out, σ²_out).</summary>
    public double Online(double phi) =>
        -0.5 * ((phi - MeanIn) * (phi - MeanIn) / VarianceIn + Math.Log(VarianceIn))
        + 0.5 * ((phi - MeanOut) * (phi - MeanOut) / VarianceOut + Math.Log(VarianceOut));

    /// <summary>The offline score (φ − μ_out) / σ_out: Φ of it is one minus the one-sided p-value of "φ comes from the out Gaussian".</summary>
    public double Offline(double phi) => (phi - MeanOut) / Math.Sqrt(VarianceOut);
}
