namespace NeuralShield.Attacks;

/// <summary>
/// The outcome of an evasion attack on a batch: the adversarial inputs, the library's own success check,
/// per-sample distances, and summary metrics. Owns its tensors, which live in native memory: dispose every result
/// (<c>using var result = attack.Run(...)</c>); the garbage collector does not see their size.
/// </summary>
/// <remarks>
/// The public constructor creates a result and takes ownership of the tensors; success computed outside the library is
/// re-checked by compositions.
/// </remarks>
public sealed class EvasionResult(Tensor adversarials, Tensor success, Tensor predictions, Tensor l0, Tensor l2, Tensor lInf, EvasionMetrics metrics)
    : IDisposable
{
    internal EvasionResult(Tensor adversarials, Tensor success, Tensor predictions, Tensor l0, Tensor l2, Tensor lInf, EvasionMetrics metrics, bool checkedByLibrary)
        : this(adversarials, success, predictions, l0, l2, lInf, metrics) => CheckedByLibrary = checkedByLibrary;

    /// <summary>Adversarial inputs [N, ...], inside the model's bounds.</summary>
    public Tensor Adversarials { get; } = adversarials ?? throw new ArgumentNullException(nameof(adversarials));

    /// <summary>Per-sample success [N] (bool): the model's prediction on the adversarial meets the goal.</summary>
    public Tensor Success { get; } = success ?? throw new ArgumentNullException(nameof(success));

    /// <summary>The model's predicted labels on the adversarials [N] (int64; −1 where the model gave no valid prediction).</summary>
    public Tensor Predictions { get; } = predictions ?? throw new ArgumentNullException(nameof(predictions));

    /// <summary>Changed features per sample [N].</summary>
    public Tensor L0 { get; } = l0 ?? throw new ArgumentNullException(nameof(l0));

    /// <summary>L2 perturbation per sample [N].</summary>
    public Tensor L2 { get; } = l2 ?? throw new ArgumentNullException(nameof(l2));

    /// <summary>L∞ perturbation per sample [N].</summary>
    public Tensor LInf { get; } = lInf ?? throw new ArgumentNullException(nameof(lInf));

    /// <summary>Summary numbers.</summary>
    public EvasionMetrics Metrics { get; } = metrics;

    /// <summary>Whether <see cref="Success"/> is the library's own check on the model (every <see cref="Evasion.EvasionAttackBase{TModel}"/> result).</summary>
    public bool CheckedByLibrary { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Adversarials.Dispose();
        Success.Dispose();
        Predictions.Dispose();
        L0.Dispose();
        L2.Dispose();
        LInf.Dispose();
    }
}
