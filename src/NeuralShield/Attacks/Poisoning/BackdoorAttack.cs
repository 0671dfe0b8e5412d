namespace NeuralShield.Attacks.Poisoning;

/// <summary>
/// What the backdoor attacks (<see cref="BackdoorPoisoning"/>, <see cref="CleanLabelBackdoor"/>) share: the trigger
/// they stamp, and their options, validated and copied once at construction (<see cref="Options"/> hands back a copy).
/// </summary>
/// <typeparam name="TOptions">The attack's options.</typeparam>
public abstract class BackdoorAttack<TOptions> : IPoisoningAttack<LabeledData, PoisonedData>
    where TOptions : OptionsBase<TOptions>
{
    /// <summary>Checks <paramref name="trigger"/>, validates and copies <paramref name="options"/>.</summary>
    private protected BackdoorAttack(BackdoorTrigger trigger, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        Trigger = trigger;
        Settings = options.Validated();
    }

    /// <summary>The trigger.</summary>
    public BackdoorTrigger Trigger { get; }

    /// <summary>The validated settings (private to the attack).</summary>
    private protected TOptions Settings { get; }

    /// <summary>A copy of the settings.</summary>
    public TOptions Options => Settings.Copy();

    /// <inheritdoc />
    public abstract AttackDescriptor Descriptor { get; }

    /// <inheritdoc />
    public abstract PoisonedData Poison(LabeledData clean, RunOptions? options = null, CancellationToken cancellationToken = default);
}
