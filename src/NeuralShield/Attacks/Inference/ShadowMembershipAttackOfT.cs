namespace NeuralShield.Attacks.Inference;

/// <summary>
/// A <see cref="ShadowMembershipAttack"/> configured by options (the library's options pattern, <see cref="OptionsBase{TSelf}"/>):
/// they are validated and copied once, at construction, and <see cref="Options"/> hands back a copy; the shadows are
/// made as the options' <see cref="IShadowAttackOptions.Shadows"/> say.
/// </summary>
/// <typeparam name="TOptions">The attack's options.</typeparam>
public abstract class ShadowMembershipAttack<TOptions> : ShadowMembershipAttack
    where TOptions : OptionsBase<TOptions>, IShadowAttackOptions
{
    /// <summary>Validates and copies <paramref name="options"/>.</summary>
    private protected ShadowMembershipAttack(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Settings = options.Validated();
    }

    /// <summary>The validated settings (private to the attack).</summary>
    private protected TOptions Settings { get; }

    /// <summary>A copy of the validated settings.</summary>
    public TOptions Options => Settings.Copy();

    /// <summary>A copy of the options' shadow settings; null when the attack fits without shadows.</summary>
    public override ShadowTrainingOptions? ShadowTraining => Settings.Shadows?.Copy();
}
