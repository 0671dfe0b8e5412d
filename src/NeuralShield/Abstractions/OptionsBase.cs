namespace NeuralShield;

/// <summary>
/// The options pattern of the library: an options class has defaulted, settable properties; the object that runs
/// (an attack, a defense, a trainer) takes a validated copy once, at construction, and never reads the caller's
/// object again. Nothing a running object hands back can change its settings: its <c>Options</c> property returns
/// a fresh copy.
/// </summary>
/// <typeparam name="TSelf">The options class itself.</typeparam>
public abstract class OptionsBase<TSelf> where TSelf : OptionsBase<TSelf>
{
    /// <summary>A copy of these options. Options that hold other options override it to copy them too.</summary>
    public virtual TSelf Copy() => (TSelf)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentException"/> (naming the property) when a value is out of range.</summary>
    protected abstract void Validate();

    /// <summary>A validated copy: the caller's object may change afterwards without effect on the copy.</summary>
    internal TSelf Validated()
    {
        var copy = Copy();
        copy.Validate();
        return copy;
    }

    /// <summary><see cref="Validated"/>, marked as such for constructors that take already validated options.</summary>
    internal Checked<TSelf> Checked() => new(Validated());
}

/// <summary>Options that have passed validation (a copy no caller holds).</summary>
/// <typeparam name="T">The options class.</typeparam>
internal readonly record struct Checked<T>(T Value);
