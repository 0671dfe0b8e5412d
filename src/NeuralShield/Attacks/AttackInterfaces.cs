using NeuralShield.Attacks.Evasion;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Attacks;

/// <summary>
/// An evasion attack: perturbs inputs so the model misclassifies them. The model type states the access
/// the attack needs (<see cref="IClassifier"/> for black-box, <see cref="IDifferentiableClassifier"/> for
/// white-box); contravariance lets a black-box attack run wherever a white-box one does.
/// </summary>
/// <typeparam name="TModel">The access the attack needs.</typeparam>
public interface IEvasionAttack<in TModel> where TModel : IClassifier
{
    /// <summary>Attacks a batch [N, ...] toward <paramref name="goal"/>. The inputs are not modified or disposed.</summary>
    EvasionResult Run(TModel model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken = default);
}

/// <summary>A membership or property inference attack: learns something about the training data from the model.</summary>
/// <typeparam name="TModel">The access the attack needs.</typeparam>
/// <typeparam name="TQuery">What is asked about (candidate records, a model to inspect).</typeparam>
/// <typeparam name="TResult">The inference result.</typeparam>
public interface IInferenceAttack<in TModel, in TQuery, out TResult> where TModel : IClassifier
{
    /// <summary>Infers the answer for <paramref name="query"/> from <paramref name="model"/>.</summary>
    TResult Infer(TModel model, TQuery query, CancellationToken cancellationToken = default);
}

/// <summary>A model extraction attack: builds a local copy (substitute) of a remote model by querying it.</summary>
/// <typeparam name="TResult">The extracted model and its statistics.</typeparam>
public interface IExtractionAttack<out TResult>
{
    /// <summary>Queries <paramref name="oracle"/> and returns the extracted model.</summary>
    TResult Extract(IClassifier oracle, CancellationToken cancellationToken = default);
}

/// <summary>A poisoning attack: alters training data so that the model trained on it misbehaves.</summary>
/// <typeparam name="TData">The training data type.</typeparam>
/// <typeparam name="TResult">The poisoned data and a record of what was changed.</typeparam>
public interface IPoisoningAttack<in TData, out TResult>
{
    /// <summary>Returns a poisoned copy of <paramref name="clean"/>; the input is not modified.</summary>
    TResult Poison(TData clean, CancellationToken cancellationToken = default);
}
