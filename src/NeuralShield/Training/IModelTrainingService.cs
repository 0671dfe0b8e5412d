namespace NeuralShield.Training;

/// <summary>
/// The one seam through which the library trains many models: "train these recipes on these data and return the
/// trained models and their training records". Shadow-model membership inference (<c>ShadowModelSet</c>, and so the
/// shadow-model attack and LiRA) and property inference's shadows go through it. The default,
/// <see cref="InProcessTrainingService"/>, trains in this process, in parallel when asked.
/// </summary>
public interface IModelTrainingService
{
    /// <summary>
    /// Trains every job and returns the trained models in job order; the caller owns (disposes) them. An
    /// implementation must give the same weights for the same jobs whatever its parallelism or placement, train each
    /// job exactly once into the result, and, if any job fails or the run is cancelled, dispose the models it has
    /// trained and throw (the job's exception, or <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <param name="jobs">The models to train.</param>
    /// <param name="progress">Receives one report per finished job (one at a time, in completion order).</param>
    /// <param name="cancellationToken">Stops the run: no new job starts and running jobs stop between batches.</param>
    IReadOnlyList<TrainedModel> TrainAll(IReadOnlyList<TrainingJob> jobs, IProgress<TrainingJobReport>? progress = null, CancellationToken cancellationToken = default);
}
