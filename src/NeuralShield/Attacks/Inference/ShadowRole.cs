namespace NeuralShield.Attacks.Inference;

/// <summary>Where a record of the pool stands for one shadow model.</summary>
public enum ShadowRole : byte
{
    /// <summary>Neither trained on nor held out (outside the shadow's share).</summary>
    Unused = 0,

    /// <summary>In the shadow's training set.</summary>
    In = 1,

    /// <summary>Held out: a non-member the shadow was evaluated on.</summary>
    Out = 2,
}
