namespace NeuralShield.Attacks.Fooling;

/// <summary>Conveniences over <see cref="IFoolingAttack{TModel}"/>.</summary>
public static class FoolingAttackExtensions
{
    /// <summary>Synthesises one input per target class, without progress or logging.</summary>
    public static FoolingResult Generate<TModel>(this IFoolingAttack<TModel> attack, TModel model, IReadOnlyList<int> targetClasses, IReadOnlyList<long> sampleShape,
        CancellationToken cancellationToken = default) where TModel : IClassifier
    {
        ArgumentNullException.ThrowIfNull(attack);
        return attack.Generate(model, targetClasses, sampleShape, RunOptions.Default, cancellationToken);
    }
}
