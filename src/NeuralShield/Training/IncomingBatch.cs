namespace NeuralShield.Training;

/// <summary>A batch offered to an <see cref="OnlineLearner"/>.</summary>
/// <param name="Source">Who sent it (a user, a feed, a sensor).</param>
/// <param name="Inputs">The inputs [B, ...], float32 on the learner's device.</param>
/// <param name="Labels">Their labels [B], int64 on the learner's device.</param>
/// <param name="Sequence">The 0-based number of the batch among all batches offered to the learner.</param>
public sealed record IncomingBatch(string Source, Tensor Inputs, Tensor Labels, long Sequence);
