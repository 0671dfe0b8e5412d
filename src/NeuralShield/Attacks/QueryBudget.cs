namespace NeuralShield.Attacks;

/// <summary>The most queries an attack may send to an oracle.</summary>
/// <param name="MaxQueries">The budget, in samples (positive).</param>
public readonly record struct QueryBudget(long MaxQueries)
{
    /// <summary>Whether <paramref name="used"/> queries plus <paramref name="more"/> stay within the budget.</summary>
    public bool Allows(long used, long more) => used + more <= MaxQueries;
}
