using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Output;

/// <summary>A black-box classifier whose probabilities pass through an output defense.</summary>
public sealed class OutputDefendedClassifier : ClassifierDecorator
{
    /// <summary>Wraps <paramref name="inner"/> (not owned) with <paramref name="defense"/>.</summary>
    public OutputDefendedClassifier(IClassifier inner, IOutputDefense defense) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(defense);
        Defense = defense;
    }

    /// <summary>The output defense.</summary>
    public IOutputDefense Defense { get; }

    /// <inheritdoc />
    public override Tensor PredictProbabilities(Tensor inputs) => Reveal(Inner, Defense, inputs);

    /// <summary>What a defended classifier reveals: the defense's transform of the inner classifier's probabilities.</summary>
    internal static Tensor Reveal(IClassifier inner, IOutputDefense defense, Tensor inputs)
    {
        using var _ = no_grad();
        using var probabilities = inner.PredictProbabilities(inputs);
        return defense.Transform(probabilities);
    }
}

/// <summary>
/// A white-box classifier whose revealed probabilities pass through an output defense. Gradient semantics: its
/// <see cref="DifferentiableClassifierDecorator.Logits"/> are the undefended model's (see
/// <see cref="OutputDefenses.Apply(IOutputDefense, IDifferentiableClassifier)"/>).
/// </summary>
public sealed class DifferentiableOutputDefendedClassifier : DifferentiableClassifierDecorator
{
    /// <summary>Wraps <paramref name="inner"/> (not owned) with <paramref name="defense"/>.</summary>
    public DifferentiableOutputDefendedClassifier(IDifferentiableClassifier inner, IOutputDefense defense) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(defense);
        Defense = defense;
    }

    /// <summary>The output defense.</summary>
    public IOutputDefense Defense { get; }

    /// <inheritdoc />
    public override Tensor PredictProbabilities(Tensor inputs) => OutputDefendedClassifier.Reveal(Inner, Defense, inputs);
}

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
