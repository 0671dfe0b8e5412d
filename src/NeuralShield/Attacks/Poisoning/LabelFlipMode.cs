namespace NeuralShield.Attacks.Poisoning;

/// <summary>Which points a label-flipping attack may flip and to what.</summary>
public enum LabelFlipMode
{
    /// <summary>Points of every class; each flipped label becomes another class (see <see cref="FlipSelection"/>).</summary>
    AnyClass,

    /// <summary>Points of <see cref="LabelFlipOptions.SourceClass"/> only, each relabelled <see cref="LabelFlipOptions.TargetClass"/> (a → b).</summary>
    ClassPair,
}
