namespace NeuralShield.Attacks;

/// <summary>A poisoning attack: alters training data so that the model trained on it misbehaves.</summary>
/// <typeparam name="TData">The training data type.</typeparam>
/// <typeparam name="TResult">The poisoned data and a record of what was changed.</typeparam>
public interface IPoisoningAttack<in TData, out TResult> : IAttack
{
    /// <summary>Returns a poisoned copy of <paramref name="clean"/>; the input is not modified.</summary>
    TResult Poison(TData clean, RunOptions? options = null, CancellationToken cancellationToken = default);
}
