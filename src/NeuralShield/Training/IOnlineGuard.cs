namespace NeuralShield.Training;

/// <summary>
/// A check an <see cref="OnlineLearner"/> runs on every incoming batch: which of its points may be learned
/// (<see cref="Admit"/>), and, for guards that check updates (<see cref="ChecksUpdates"/>), whether the update made
/// from them may be kept (<see cref="Approve"/>). On-line defenses (rate limits, anomaly scores, validation gates)
/// implement it.
/// </summary>
public interface IOnlineGuard
{
    /// <summary>A short name, reported when the guard refuses points or an update.</summary>
    string Name { get; }

    /// <summary>Whether <see cref="Approve"/> is to be asked after each update (the learner then snapshots the parameters first).</summary>
    bool ChecksUpdates { get; }

    /// <summary>Per-point admission [B] (bool) of <paramref name="batch"/>, given the current model (in evaluation mode, not to be changed).</summary>
    Tensor Admit(IncomingBatch batch, IDifferentiableClassifier current);

    /// <summary>Whether to keep the update just made from the admitted points of <paramref name="batch"/>; false undoes it.</summary>
    bool Approve(IncomingBatch batch, IDifferentiableClassifier updated);
}
