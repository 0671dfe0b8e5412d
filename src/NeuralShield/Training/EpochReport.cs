namespace NeuralShield.Training;

/// <summary>One epoch of a training run.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training objective over the epoch.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation data, when given.</param>
/// <param name="Elapsed">Time since training started.</param>
public readonly record struct EpochReport(int Epoch, double TrainLoss, double? ValidationAccuracy, TimeSpan Elapsed);
