namespace NeuralShield.Attacks.Poisoning;

/// <summary>
/// The result of a poisoning attack on a labelled training set: the poisoned copy (owned: disposing the result
/// disposes it) and the indices of the points the attacker changed, in increasing order. The clean set is untouched.
/// </summary>
public sealed class PoisonedData : IDisposable
{
    private readonly long[] _indices;

    /// <summary>Takes ownership of <paramref name="data"/>; <paramref name="indices"/> are copied and sorted.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside the data or appears twice.</exception>
    public PoisonedData(LabeledData data, IEnumerable<long> indices, string attack)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentException.ThrowIfNullOrWhiteSpace(attack);
        _indices = indices.Order().ToArray();
        for (var i = 0; i < _indices.Length; i++)
        {
            if (_indices[i] < 0 || _indices[i] >= data.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), _indices[i], $"Every poisoned index must lie in [0, {data.Count}).");
            if (i > 0 && _indices[i] == _indices[i - 1])
                throw new ArgumentOutOfRangeException(nameof(indices), _indices[i], "A poisoned index appears twice.");
        }
        Data = data;
        Attack = attack;
    }

    /// <summary>The poisoned training set.</summary>
    public LabeledData Data { get; }

    /// <summary>Indices (into <see cref="Data"/>) of the points the attacker changed, increasing.</summary>
    public IReadOnlyList<long> Indices => _indices;

    /// <summary>The attack that produced it (its descriptor's name).</summary>
    public string Attack { get; }

    /// <summary>Count and share of poisoned points.</summary>
    public PoisoningMetrics Metrics => new(_indices.Length, (double)_indices.Length / Data.Count);

    /// <inheritdoc />
    public void Dispose() => Data.Dispose();
}
