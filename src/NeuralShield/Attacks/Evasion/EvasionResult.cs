using static TorchSharp.torch;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Summary numbers of one evasion run.</summary>
/// <param name="SampleCount">Number of samples attacked.</param>
/// <param name="SuccessRate">Share of samples whose adversarial meets the goal (checked by the library on the model).</param>
/// <param name="MeanL0">Mean number of changed features over successful samples (NaN when none succeeded).</param>
/// <param name="MeanL0Fraction">Mean fraction of features changed over successful samples (NaN when none succeeded).</param>
/// <param name="MeanL2">Mean L2 perturbation over successful samples (NaN when none succeeded).</param>
/// <param name="MeanLInf">Mean L∞ perturbation over successful samples (NaN when none succeeded).</param>
/// <param name="MeanL0FractionAll">Mean fraction of features changed over all samples.</param>
/// <param name="Queries">Samples the attack sent to the model (excluding the library's final success check).</param>
/// <param name="Elapsed">Wall-clock time of the attack, including the success check.</param>
public readonly record struct EvasionMetrics(
    int SampleCount, double SuccessRate, double MeanL0, double MeanL0Fraction, double MeanL2, double MeanLInf,
    double MeanL0FractionAll, long Queries, TimeSpan Elapsed);

/// <summary>
/// The outcome of an evasion attack on a batch: the adversarial inputs, the library's own success check,
/// per-sample distances, and summary metrics. Owns its tensors.
/// </summary>
public sealed class EvasionResult : IDisposable
{
    /// <summary>Creates a result; takes ownership of the tensors.</summary>
    public EvasionResult(Tensor adversarials, Tensor success, Tensor predictions, Tensor l0, Tensor l2, Tensor lInf, EvasionMetrics metrics)
    {
        Adversarials = adversarials;
        Success = success;
        Predictions = predictions;
        L0 = l0;
        L2 = l2;
        LInf = lInf;
        Metrics = metrics;
    }

    /// <summary>Adversarial inputs [N, ...], inside the model's bounds.</summary>
    public Tensor Adversarials { get; }

    /// <summary>Per-sample success [N] (bool): the model's prediction on the adversarial meets the goal.</summary>
    public Tensor Success { get; }

    /// <summary>The model's predicted labels on the adversarials [N] (int64).</summary>
    public Tensor Predictions { get; }

    /// <summary>Changed features per sample [N].</summary>
    public Tensor L0 { get; }

    /// <summary>L2 perturbation per sample [N].</summary>
    public Tensor L2 { get; }

    /// <summary>L∞ perturbation per sample [N].</summary>
    public Tensor LInf { get; }

    /// <summary>Summary numbers.</summary>
    public EvasionMetrics Metrics { get; }

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
