namespace NeuralShield.Attacks;

/// <summary>A fitted inference attack: answers queries about the target's training data.</summary>
/// <typeparam name="TModel">The access the attack needs to the target.</typeparam>
/// <typeparam name="TQuery">What is asked about.</typeparam>
/// <typeparam name="TResult">The inference result.</typeparam>
public interface IFittedInference<in TModel, in TQuery, out TResult> : IDisposable where TModel : IClassifier
{
    /// <summary>Infers the answer for <paramref name="query"/> from <paramref name="target"/>.</summary>
    TResult Infer(TModel target, TQuery query, CancellationToken cancellationToken = default);
}
