namespace NeuralShield.Defenses.Data;

/// <summary>Settings of <see cref="ActivationClustering"/>.</summary>
public sealed class ActivationClusteringOptions : OptionsBase<ActivationClusteringOptions>
{
    /// <summary>Dimensions the activations are reduced to before clustering. Chen et al.: 10. Default 10.</summary>
    public int Components { get; set; } = 10;

    /// <summary>
    /// Whether the reduced activations are whitened (each component scaled to unit variance). Chen et al. and IBM ART reduce
    /// by FastICA, whose output is the whitened principal components turned by an orthogonal matrix: 2-means and
    /// silhouettes, which depend only on distances, are the same on both. Without it, plain PCA (components keep their
    /// variances). Default true.
    /// </summary>
    public bool Whiten { get; set; } = true;

    /// <summary>Which cluster analysis decides that a class's smaller cluster is poison. Default <see cref="ClusterAnalysis.RelativeSize"/>.</summary>
    public ClusterAnalysis Analysis { get; set; } = ClusterAnalysis.RelativeSize;

    /// <summary>
    /// The relative-size analysis: the smaller of a class's two clusters is flagged when it holds at most this share of
    /// the class (Chen et al. expect poison in a cluster well below half; IBM ART's default 0.35). Default 0.35.
    /// </summary>
    public double MaxPoisonShare { get; set; } = 0.35;

    /// <summary>
    /// The silhouette threshold. Relative size: a class is flagged only when its 2-means silhouette also reaches this value
    /// (0: not checked; IBM ART's silhouette analysis uses 0.1 with the 0.35 size rule). Silhouette analysis: a class is
    /// flagged when its silhouette reaches it (must be above 0). Default 0.
    /// </summary>
    public double MinSilhouette { get; set; }

    /// <summary>
    /// T of exclusionary reclassification: an excluded cluster is poison when l ≤ T·p (l: its points the retrained model
    /// gives their own label, p: those it gives the most common other class). Default 1.
    /// </summary>
    public double ReclassificationThreshold { get; set; } = 1;

    /// <summary>
    /// Exclusionary reclassification: at most this many classes are judged poisoned — among the clusters the l ≤ T·p rule
    /// flags, those the retrained models reject most (smallest l / p; ties by class). 0: no limit, every flagged cluster (the paper and
    /// IBM ART). 1 states the assumption of an all-to-one backdoor (one target class, which the defender need not know):
    /// the most rejected cluster is taken as the poison, and clean clusters of atypical writing that a model without them
    /// also calls another class (l / p below T, but above the poison's) are kept. Default 0.
    /// </summary>
    public int MaxPoisonedClasses { get; set; }

    /// <summary>Which layer is read: 1 is the penultimate (the input of the logits layer). Default 1.</summary>
    public int LayerFromEnd { get; set; } = 1;

    /// <summary>Seed of k-means.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(Components, nameof(Components));
        Guard.Defined(Analysis, nameof(Analysis));
        if (!(MaxPoisonShare > 0 && MaxPoisonShare < 1)) throw new ArgumentOutOfRangeException(nameof(MaxPoisonShare), MaxPoisonShare, "MaxPoisonShare must lie in (0, 1).");
        Guard.InRange(MinSilhouette, -1, 1, nameof(MinSilhouette));
        if (Analysis == ClusterAnalysis.Silhouette && !(MinSilhouette > 0))
            throw new ArgumentOutOfRangeException(nameof(MinSilhouette), MinSilhouette, "The silhouette analysis needs MinSilhouette above 0.");
        Guard.Positive(ReclassificationThreshold, nameof(ReclassificationThreshold));
        Guard.NonNegative(MaxPoisonedClasses, nameof(MaxPoisonedClasses));
        if (MaxPoisonedClasses > 0 && Analysis != ClusterAnalysis.ExclusionaryReclassification)
            throw new ArgumentOutOfRangeException(nameof(MaxPoisonedClasses), MaxPoisonedClasses, "MaxPoisonedClasses applies to exclusionary reclassification only; leave it 0 for the other analyses.");
        Guard.Positive(LayerFromEnd, nameof(LayerFromEnd));
    }
}
