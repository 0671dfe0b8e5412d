namespace NeuralShield.Defenses.Data;

/// <summary>What a sanitizer does with the points it flags.</summary>
public enum SanitizeAction
{
    /// <summary>Drop them from the cleaned copy.</summary>
    Remove,

    /// <summary>Give them the label the defense believes (kNN label sanitization); the cleaned copy keeps every point.</summary>
    Relabel,

    /// <summary>
    /// Relabel where the defense is confident of the label (kNN: the neighbours' majority holds at least η of the
    /// votes), remove the other points whose label it rejects (kNN: the point's own label is outvoted by another class
    /// without such a majority). The cleaned copy keeps every point it does not remove.
    /// </summary>
    RelabelOrRemove,
}
