namespace NeuralShield.Training;

/// <summary>What happened to one batch offered to an <see cref="OnlineLearner"/>.</summary>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The batch's number among all offered batches.</param>
/// <param name="Offered">Points offered.</param>
/// <param name="Admitted">Points the guards admitted (they join the learner's buffer).</param>
/// <param name="UpdatesApplied">Updates made and kept after this batch filled the buffer.</param>
/// <param name="UpdatesRefused">Updates made and undone by a guard.</param>
/// <param name="RefusedBy">The guard that dropped points of this batch or refused an update, when one did.</param>
/// <param name="Loss">The training loss of the last update made, when one was.</param>
public sealed record OnlineUpdate(string Source, long Sequence, int Offered, int Admitted, int UpdatesApplied, int UpdatesRefused, string? RefusedBy, double? Loss);
