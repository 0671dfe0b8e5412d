namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// An <see cref="EvasionAttackBase{TModel}"/> configured by options (the library's options pattern,
/// <see cref="OptionsBase{TSelf}"/>): they are validated and copied once, at construction, and <see cref="Options"/>
/// hands back a copy.
/// </summary>
/// <typeparam name="TModel">The access the attack needs.</typeparam>
/// <typeparam name="TOptions">The attack's options.</typeparam>
public abstract class EvasionAttack<TModel, TOptions> : EvasionAttackBase<TModel>
    where TModel : IClassifier
    where TOptions : OptionsBase<TOptions>
{
    /// <summary>Validates and copies <paramref name="options"/>.</summary>
    private protected EvasionAttack(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Settings = options.Validated();
    }

    /// <summary>The validated settings (private to the attack).</summary>
    private protected TOptions Settings { get; }

    /// <summary>A copy of the validated settings; changing it does not change the attack.</summary>
    public TOptions Options => Settings.Copy();
}
