namespace NeuralShield.Defenses.Data;

/// <summary>
/// How <see cref="ActivationClustering"/> decides that the smaller of a class's two clusters is poison: the three cluster
/// analyses of Chen et al. (2018), §4.
/// </summary>
public enum ClusterAnalysis
{
    /// <summary>
    /// Relative size: the smaller cluster is poison when it holds at most <see cref="ActivationClusteringOptions.MaxPoisonShare"/>
    /// of the class (and, when <see cref="ActivationClusteringOptions.MinSilhouette"/> is above 0, the class's silhouette
    /// reaches it: IBM ART's silhouette analysis).
    /// </summary>
    RelativeSize,

    /// <summary>
    /// Silhouette: a class whose two clusters fit its activations well (2-means silhouette at least
    /// <see cref="ActivationClusteringOptions.MinSilhouette"/>) is poisoned and its smaller cluster is poison; no size rule.
    /// </summary>
    Silhouette,

    /// <summary>
    /// Exclusionary reclassification: for each class, a model is retrained without the class's smaller cluster and
    /// classifies the excluded points; a cluster whose points keep their label for at most
    /// <see cref="ActivationClusteringOptions.ReclassificationThreshold"/> times as many points as go to the most common
    /// other class (l / p ≤ T) is poison. Needs no size or silhouette threshold, but a retraining function.
    /// <see cref="ActivationClusteringOptions.MaxPoisonedClasses"/> keeps only the most rejected of the flagged clusters.
    /// </summary>
    ExclusionaryReclassification,
}
