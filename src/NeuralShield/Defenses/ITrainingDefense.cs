namespace NeuralShield.Defenses;

/// <summary>A training defense (distillation, saturation, adversarial training, DP-SGD): fits a hardened classifier.</summary>
/// <typeparam name="TResult">The hardened classifier and its training record.</typeparam>
public interface ITrainingDefense<out TResult> : IDefense
{
    /// <summary>Trains on <paramref name="train"/> and returns the hardened classifier; the caller disposes it.</summary>
    /// <param name="train">Training data.</param>
    /// <param name="validation">Optional validation data (reports, early stopping).</param>
    /// <param name="progress">Receives one report per epoch of every training run.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    TResult Fit(LabeledData train, LabeledData? validation = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default);
}
