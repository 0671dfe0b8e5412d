namespace NeuralShield.Training;

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="Epochs">Per-epoch reports, in order.</param>
/// <param name="BestEpoch">The epoch whose weights the model holds (the last, unless early stopping restored an earlier one).</param>
/// <param name="StoppedEarly">Whether early stopping ended the run.</param>
/// <param name="Elapsed">Total training time.</param>
public sealed record TrainingResult(IReadOnlyList<EpochReport> Epochs, int BestEpoch, bool StoppedEarly, TimeSpan Elapsed);
