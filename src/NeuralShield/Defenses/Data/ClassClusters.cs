namespace NeuralShield.Defenses.Data;

/// <summary>What <see cref="ActivationClustering"/> found in one class (by label) in its last inspection.</summary>
/// <param name="Label">The class.</param>
/// <param name="Size">Points labelled with it.</param>
/// <param name="SmallerClusterSize">Points in the smaller of its two 2-means clusters (0 for classes too small to cluster).</param>
/// <param name="Silhouette">The 2-means silhouette of the class (NaN for classes too small to cluster).</param>
/// <param name="Poisoned">Whether the analysis judged the smaller cluster poison (its points are flagged).</param>
public sealed record ClassClusters(int Label, int Size, int SmallerClusterSize, double Silhouette, bool Poisoned)
{
    /// <summary>The smaller cluster's share of the class.</summary>
    public double SmallerClusterShare => Size == 0 ? 0 : (double)SmallerClusterSize / Size;

    /// <summary>Exclusionary reclassification: excluded points the retrained model gives their own label (l); null for the other analyses.</summary>
    public int? KeptLabel { get; init; }

    /// <summary>Exclusionary reclassification: the class other than <see cref="Label"/> the retrained model gives most excluded points (C; −1 when none).</summary>
    public int? OtherClass { get; init; }

    /// <summary>Exclusionary reclassification: excluded points the retrained model gives <see cref="OtherClass"/> (p).</summary>
    public int? OtherClassCount { get; init; }
}
