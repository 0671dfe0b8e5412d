namespace NeuralShield.Defenses.Data;

/// <summary>The anomaly score an <see cref="AnomalyGuard"/> gives each incoming point.</summary>
public enum AnomalyScore
{
    /// <summary>The cross-entropy of the point's label under the current model (Steinhardt et al.'s loss defense, on-line).</summary>
    Loss,

    /// <summary>The Euclidean distance of the point's representation to the centroid of its labelled class (the sphere defense), compared with that class's threshold.</summary>
    CentroidDistance,
}
