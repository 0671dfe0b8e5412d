namespace NeuralShield.Attacks;

/// <summary>
/// A membership or property inference attack. Inference attacks have two phases: <see cref="Fit"/> learns the attack
/// from what the attacker has (its own data, shadow models trained on it, the target's answers), then the fitted
/// attack <see cref="IFittedInference{TModel,TQuery,TResult}.Infer"/>s the answer for candidate records or models.
/// </summary>
/// <typeparam name="TModel">The access the attack needs to the target.</typeparam>
/// <typeparam name="TKnowledge">What the attacker brings (e.g. <see cref="LabeledData"/> from the target's distribution).</typeparam>
/// <typeparam name="TQuery">What is asked about (candidate records, a model to inspect).</typeparam>
/// <typeparam name="TResult">The inference result.</typeparam>
public interface IInferenceAttack<in TModel, in TKnowledge, in TQuery, out TResult> : IAttack where TModel : IClassifier
{
    /// <summary>Learns the attack against <paramref name="target"/> from <paramref name="knowledge"/>; the caller disposes the result.</summary>
    IFittedInference<TModel, TQuery, TResult> Fit(TModel target, TKnowledge knowledge, RunOptions? options = null, CancellationToken cancellationToken = default);
}
