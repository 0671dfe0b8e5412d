namespace NeuralShield.Attacks.Fooling;

/// <summary>The quantity gradient-ascent fooling climbs for the target class t.</summary>
public enum FoolingObjective
{
    /// <summary>log softmax(Z)_t: raises the target's probability directly; its gradient vanishes only as p_t → 1.</summary>
    LogSoftmax,

    /// <summary>The target's logit Z_t (Simonyan et al.'s class score), which ignores the other classes.</summary>
    Logit,
}
