namespace NeuralShield.Attacks.Evasion;

/// <summary>How <see cref="Jsma"/> picks the features to change in an iteration.</summary>
public enum JsmaSearch
{
    /// <summary>
    /// The paper's saliency map over pairs of features (p, q): α = Σ_{i∈{p,q}} ∂F_t/∂x_i,
    /// β = Σ_{i∈{p,q}} Σ_{j≠t} ∂F_j/∂x_i; keep pairs with θ·α &gt; 0 and θ·β &lt; 0, take argmax −α·β.
    /// </summary>
    Pairwise,

    /// <summary>
    /// The two features with the largest θ·∂F_t/∂x_i, each judged on its own, without β and without the
    /// sign conditions. This is what IBM ART's <c>SaliencyMapMethod</c> does (ART issue #2306); it is not
    /// the paper's pairwise map and is offered only to compare with ART.
    /// </summary>
    SingleFeatureTopTwo,
}
