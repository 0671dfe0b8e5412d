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
