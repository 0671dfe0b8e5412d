namespace NeuralShield.Attacks;

/// <summary>A model extraction attack: builds a local copy (substitute) of a remote model by querying it.</summary>
/// <typeparam name="TResult">The extracted model and its statistics.</typeparam>
public interface IExtractionAttack<out TResult> : IAttack
{
    /// <summary>
    /// Queries <paramref name="oracle"/>, starting from the attacker's <paramref name="seedInputs"/> [N, ...] and sending
    /// at most <paramref name="budget"/> samples, and returns the extracted model.
    /// </summary>
    TResult Extract(IClassifier oracle, Tensor seedInputs, QueryBudget budget, RunOptions? options = null, CancellationToken cancellationToken = default);
}
