using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Attacks;

/// <summary>
/// An evasion attack: perturbs inputs so the model misclassifies them. The model type states the access
/// the attack needs (<see cref="IClassifier"/> for black-box, <see cref="IDifferentiableClassifier"/> for
/// white-box); contravariance lets a black-box attack run wherever a white-box one does.
/// </summary>
/// <typeparam name="TModel">The access the attack needs.</typeparam>
public interface IEvasionAttack<in TModel> : IAttack where TModel : IClassifier
{
    /// <summary>
    /// Attacks a batch [N, ...] toward <paramref name="goal"/>, in batches of <see cref="RunOptions.BatchSize"/>.
    /// The inputs are not modified or disposed; the caller disposes the result.
    /// </summary>
    EvasionResult Run(TModel model, Tensor inputs, AttackGoal goal, RunOptions? options, CancellationToken cancellationToken = default);
}

/// <summary>Conveniences over the attack interfaces.</summary>
public static class AttackExtensions
{
    /// <summary>Attacks a batch [N, ...] toward <paramref name="goal"/> in one batch, without progress or logging.</summary>
    public static EvasionResult Run<TModel>(this IEvasionAttack<TModel> attack, TModel model, Tensor inputs, AttackGoal goal,
        CancellationToken cancellationToken = default) where TModel : IClassifier
    {
        ArgumentNullException.ThrowIfNull(attack);
        return attack.Run(model, inputs, goal, RunOptions.Default, cancellationToken);
    }
}

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
    IFittedInference<TModel, TQuery, TResult> Fit(TModel target, TKnowledge knowledge, IProgress<string>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>A fitted inference attack: answers queries about the target's training data.</summary>
/// <typeparam name="TModel">The access the attack needs to the target.</typeparam>
/// <typeparam name="TQuery">What is asked about.</typeparam>
/// <typeparam name="TResult">The inference result.</typeparam>
public interface IFittedInference<in TModel, in TQuery, out TResult> : IDisposable where TModel : IClassifier
{
    /// <summary>Infers the answer for <paramref name="query"/> from <paramref name="target"/>.</summary>
    TResult Infer(TModel target, TQuery query, CancellationToken cancellationToken = default);
}

/// <summary>The most queries an attack may send to an oracle.</summary>
/// <param name="MaxQueries">The budget, in samples (positive).</param>
public readonly record struct QueryBudget(long MaxQueries)
{
    /// <summary>Whether <paramref name="used"/> queries plus <paramref name="more"/> stay within the budget.</summary>
    public bool Allows(long used, long more) => used + more <= MaxQueries;
}

/// <summary>A model extraction attack: builds a local copy (substitute) of a remote model by querying it.</summary>
/// <typeparam name="TResult">The extracted model and its statistics.</typeparam>
public interface IExtractionAttack<out TResult> : IAttack
{
    /// <summary>
    /// Queries <paramref name="oracle"/>, starting from the attacker's <paramref name="seedInputs"/> [N, ...] and sending
    /// at most <paramref name="budget"/> samples, and returns the extracted model.
    /// </summary>
    TResult Extract(IClassifier oracle, Tensor seedInputs, QueryBudget budget, IProgress<string>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>A poisoning attack: alters training data so that the model trained on it misbehaves.</summary>
/// <typeparam name="TData">The training data type.</typeparam>
/// <typeparam name="TResult">The poisoned data and a record of what was changed.</typeparam>
public interface IPoisoningAttack<in TData, out TResult> : IAttack
{
    /// <summary>Returns a poisoned copy of <paramref name="clean"/>; the input is not modified.</summary>
    TResult Poison(TData clean, CancellationToken cancellationToken = default);
}
