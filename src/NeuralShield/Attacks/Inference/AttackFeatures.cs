namespace NeuralShield.Attacks.Inference;

/// <summary>What the attack model sees of a prediction vector.</summary>
public enum AttackFeatures
{
    /// <summary>The probabilities sorted in decreasing order (Salem et al.'s ML-Leaks; class-order free).</summary>
    Sorted,

    /// <summary>The sorted probabilities and the true class's probability p_y, which tells whether and how surely the record is classified right.</summary>
    SortedWithTrueClass,

    /// <summary>The probability vector in class order (Shokri et al.'s input to a per-class attack model).</summary>
    ClassOrder,
}
