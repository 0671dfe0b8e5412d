namespace NeuralShield.Training;

/// <summary>A job finished: which one, how many are done, and its training record.</summary>
/// <param name="Index">The job's position in the list given to <see cref="IModelTrainingService.TrainAll"/>.</param>
/// <param name="Name">The job's name.</param>
/// <param name="Completed">Jobs finished so far, this one included.</param>
/// <param name="Total">Jobs in the run.</param>
/// <param name="Records">Records the model was trained on.</param>
/// <param name="Training">The record of the job's training (epochs, losses, time).</param>
public sealed record TrainingJobReport(int Index, string Name, int Completed, int Total, int Records, TrainingResult Training);
