namespace NeuralShield.Attacks;

/// <summary>
/// The outcome of an evasion attack on a batch: the adversarial inputs, the library's own success check,
/// per-sample distances, and summary metrics. Owns its tensors, which live in native memory: dispose every result
/// (<c>using var result = attack.Run(...)</c>); the garbage collector does not see their size.
/// </summary>
public sealed class EvasionResult : IDisposable
{
    /// <summary>Creates a result; takes ownership of the tensors. Success computed outside the library is re-checked by compositions.</summary>
    public EvasionResult(Tensor adversarials, Tensor success, Tensor predictions, Tensor l0, Tensor l2, Tensor lInf, EvasionMetrics metrics)
        : this(adversarials, success, predictions, l0, l2, lInf, metrics, checkedByLibrary: false)
    {
    }

    internal EvasionResult(Tensor adversarials, Tensor success, Tensor predictions, Tensor l0, Tensor l2, Tensor lInf, EvasionMetrics metrics, bool checkedByLibrary)
    {
        ArgumentNullException.ThrowIfNull(adversarials);
        ArgumentNullException.ThrowIfNull(success);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(l0);
        ArgumentNullException.ThrowIfNull(l2);
        ArgumentNullException.ThrowIfNull(lInf);
        Adversarials = adversarials;
        Success = success;
        Predictions = predictions;
        L0 = l0;
        L2 = l2;
        LInf = lInf;
        Metrics = metrics;
        CheckedByLibrary = checkedByLibrary;
    }

    /// <summary>Adversarial inputs [N, ...], inside the model's bounds.</summary>
    public Tensor Adversarials { get; }

    /// <summary>Per-sample success [N] (bool): the model's prediction on the adversarial meets the goal.</summary>
    public Tensor Success { get; }

    /// <summary>The model's predicted labels on the adversarials [N] (int64; −1 where the model gave no valid prediction).</summary>
    public Tensor Predictions { get; }

    /// <summary>Changed features per sample [N].</summary>
    public Tensor L0 { get; }

    /// <summary>L2 perturbation per sample [N].</summary>
    public Tensor L2 { get; }

    /// <summary>L∞ perturbation per sample [N].</summary>
    public Tensor LInf { get; }

    /// <summary>Summary numbers.</summary>
    public EvasionMetrics Metrics { get; }

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
