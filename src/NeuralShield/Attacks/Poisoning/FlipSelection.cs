namespace NeuralShield.Attacks.Poisoning;

/// <summary>How the attacker chooses the points to flip.</summary>
public enum FlipSelection
{
    /// <summary>Uniformly at random among the eligible points (seeded); in <see cref="LabelFlipMode.AnyClass"/> the new label is a uniformly random other class.</summary>
    Random,

    /// <summary>
    /// The attacker's knowledge: the eligible points nearest the boundary of a surrogate model, by logit margin
    /// z_y − max_{j≠y} z_j (smallest first). In <see cref="LabelFlipMode.AnyClass"/> the new label is the surrogate's
    /// most likely class other than the current one: the class across that boundary.
    /// </summary>
    NearestBoundary,
}
