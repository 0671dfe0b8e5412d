namespace NeuralShield.Attacks;

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
