using TorchSharp.Modules;

namespace NeuralShield.Attacks.Inference;

/// <summary>
/// What the property-inference attacker brings: a pool of records from the target's distribution and, for each, whether
/// it carries the attribute whose share defines the property (e.g. sex = Female).
/// </summary>
public sealed class PropertyKnowledge
{
    /// <summary>Creates the knowledge; the tensors stay the caller's.</summary>
    /// <param name="pool">Records from the target's distribution (features as the target sees them).</param>
    /// <param name="hasAttribute">A bool (or 0/1 integer) vector [N]: true where a pool record carries the attribute.</param>
    /// <param name="propertyName">A name for reports, e.g. "sex=Female share 80% vs 20%".</param>
    /// <exception cref="ArgumentException">The mask does not match the pool, or one group is empty.</exception>
    public PropertyKnowledge(LabeledData pool, Tensor hasAttribute, string? propertyName = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(hasAttribute);
        if (hasAttribute.dim() != 1 || hasAttribute.shape[0] != pool.Count)
            throw new ArgumentException($"hasAttribute must be a vector of {pool.Count} flags, one per pool record; got shape [{string.Join(", ", hasAttribute.shape)}].", nameof(hasAttribute));
        using var flags = hasAttribute.to_type(ScalarType.Bool).cpu();
        var values = flags.data<bool>().ToArray();
        With = Enumerable.Range(0, values.Length).Where(i => values[i]).Select(i => (long)i).ToArray();
        Without = Enumerable.Range(0, values.Length).Where(i => !values[i]).Select(i => (long)i).ToArray();
        if (With.Count == 0 || Without.Count == 0)
            throw new ArgumentException($"hasAttribute must mark some pool records and leave others unmarked; it marks {With.Count} of {pool.Count}.", nameof(hasAttribute));
        Pool = pool;
        PropertyName = propertyName ?? "property";
    }

    /// <summary>The attacker's records.</summary>
    public LabeledData Pool { get; }

    /// <summary>Indices of the pool records with the attribute.</summary>
    public IReadOnlyList<long> With { get; }

    /// <summary>Indices of the pool records without it.</summary>
    public IReadOnlyList<long> Without { get; }

    /// <summary>The property's name, for reports.</summary>
    public string PropertyName { get; }
}
