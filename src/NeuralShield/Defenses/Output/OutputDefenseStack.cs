namespace NeuralShield.Defenses.Output;

/// <summary>Output defenses applied in order, as one defense.</summary>
public sealed class OutputDefenseStack : IOutputDefense
{
    private readonly IOutputDefense[] _defenses;

    /// <summary>Stacks <paramref name="defenses"/> (at least one, none null); the first sees the model's probabilities.</summary>
    public OutputDefenseStack(IEnumerable<IOutputDefense> defenses)
    {
        ArgumentNullException.ThrowIfNull(defenses);
        _defenses = defenses.ToArray();
        if (_defenses.Length == 0) throw new ArgumentException("A stack needs at least one defense.", nameof(defenses));
        if (_defenses.Any(d => d is null)) throw new ArgumentException("defenses must not contain null.", nameof(defenses));
    }

    /// <summary>The defenses, in the order they apply.</summary>
    public IReadOnlyList<IOutputDefense> Defenses => _defenses;

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new(
        string.Join(" + ", _defenses.Select(d => d.Descriptor.Name)), DefenseKind.Output, null,
        _defenses.SelectMany(d => d.Descriptor.Counters).Distinct().ToArray());

    /// <inheritdoc />
    public Tensor Transform(Tensor probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var current = probabilities.alias();
        foreach (var defense in _defenses)
        {
            var next = defense.Transform(current);
            current.Dispose();
            current = next;
        }
        return current;
    }
}
