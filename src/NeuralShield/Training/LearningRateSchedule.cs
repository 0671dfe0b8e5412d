namespace NeuralShield.Training;

/// <summary>How a <see cref="Trainer"/> changes the learning rate over a run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The learning rate stays at <see cref="TrainingOptions.LearningRate"/>.</summary>
    Constant,
    /// <summary>
    /// Cosine annealing without restarts (Loshchilov and Hutter 2017, arXiv 1608.03983): at step t of T planned steps
    /// (epochs × batches per epoch) the rate is LearningRate · (1 + cos(π t / T)) / 2, set before each mini-batch, so it
    /// falls from LearningRate to nearly 0 by the last step.
    /// </summary>
    Cosine,
}
