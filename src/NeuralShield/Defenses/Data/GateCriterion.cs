namespace NeuralShield.Defenses.Data;

/// <summary>What a <see cref="ValidationGate"/> watches on its held-out set.</summary>
public enum GateCriterion
{
    /// <summary>Accuracy; an update is refused when it falls more than the tolerance (absolute) below the best accepted accuracy.</summary>
    Accuracy,

    /// <summary>Mean cross-entropy; an update is refused when it rises more than the tolerance (relative) above the best accepted loss.</summary>
    Loss,
}
