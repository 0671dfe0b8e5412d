namespace NeuralShield.Attacks.Evasion;

/// <summary>How <see cref="UniversalPerturbation"/> searches for v.</summary>
public enum UniversalSearch
{
    /// <summary>
    /// The paper's Algorithm 1 (Moosavi-Dezfooli et al. 2017): v ← P_{p,ξ}(v + Δv_i) with Δv_i DeepFool's minimal
    /// step from x_i + v, for the points not yet fooled (in mini-batches, see
    /// <see cref="UniversalPerturbationOptions.BatchSize"/>). The default.
    /// </summary>
    DeepFoolLoop,

    /// <summary>
    /// Not the paper's algorithm: stochastic projected gradient ascent on v itself, in the line of Shafahi et al.,
    /// "Universal adversarial training", AAAI 2020 (arXiv 1812.03705). Over shuffled mini-batches B of the fitting
    /// set, v ← P_{p,ξ}(v + α·sign(∇_v Σ_{x∈B} L(clamp(x + v)))) (L∞; for L2 the gradient is divided by its L2 norm),
    /// with L the logit margin max_{j≠k̂(x)} Z_j − Z_{k̂(x)} away from the CLEAN prediction k̂(x), clamped above at
    /// κ (<see cref="UniversalPerturbationOptions.Kappa"/>) so that points already fooled by a margin κ stop pulling v.
    /// Shafahi et al. clip the cross-entropy instead; the clamped logit margin is the same idea in the
    /// Carlini–Wagner form. The v with the best fitting-set fooling rate over the epochs is returned.
    /// </summary>
    ProjectedGradient,
}
