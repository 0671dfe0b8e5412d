using System.Runtime.ExceptionServices;

namespace NeuralShield.Training;

/// <summary>
/// One model to train: a recipe, its training data and the seed offset of its weights. The model's weights are seeded
/// by <see cref="ModelRecipe.Seed"/> + <see cref="SeedOffset"/> and its batch order by the recipe's
/// <see cref="TrainingOptions.Seed"/>, so a job trains to the same weights wherever and whenever it runs.
/// </summary>
/// <remarks>
/// In process the data travels as a <see cref="LabeledData"/> reference (no copy); the job does not own it and the
/// caller keeps it alive until <see cref="IModelTrainingService.TrainAll"/> returns. A service that trains in other
/// processes sends <see cref="Source"/> (a dataset id and record indices) instead of the tensors, and the recipe by
/// name and settings (its architecture must then be a <see cref="Models.ZooArchitecture"/>'s <c>Create</c>).
/// </remarks>
/// <param name="Name">A name for reports and errors (e.g. "shadow 3").</param>
/// <param name="Recipe">How the model is built and trained.</param>
/// <param name="Data">The training data, inside the recipe's bounds (not owned).</param>
/// <param name="SeedOffset">Added to the recipe's seed for the weights.</param>
/// <param name="Step">What happens on each mini-batch; null: plain cross-entropy.</param>
/// <param name="Source">Where <paramref name="Data"/> comes from (the same records, in order), for services that train elsewhere; null: only in process.</param>
public sealed record TrainingJob(string Name, ModelRecipe Recipe, LabeledData Data, long SeedOffset = 0, ITrainingStep? Step = null, DataReference? Source = null);

/// <summary>
/// Records of a named dataset: what a job's data are, said in a few bytes, so that a worker in another process can
/// load them itself (and check them against the dataset's <see cref="Defenses.Data.IntegrityManifest"/>).
/// </summary>
/// <param name="Dataset">The dataset's id, as the workers know it (e.g. "adult-train").</param>
/// <param name="Indices">The records, by position in the dataset, in order; null: all of them.</param>
public sealed record DataReference(string Dataset, IReadOnlyList<long>? Indices = null)
{
    /// <summary>The records at <paramref name="positions"/> of this reference (positions in its own order), as a reference into the same dataset.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A position is outside this reference.</exception>
    public DataReference Select(IReadOnlyList<long> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (Indices is null) return this with { Indices = positions.ToArray() };
        var selected = new long[positions.Count];
        for (var i = 0; i < selected.Length; i++)
        {
            var p = positions[i];
            if (p < 0 || p >= Indices.Count) throw new ArgumentOutOfRangeException(nameof(positions), p, $"Position {p} is outside the reference's {Indices.Count} records.");
            selected[i] = Indices[(int)p];
        }
        return this with { Indices = selected };
    }
}

/// <summary>A job finished: which one, how many are done, and its training record.</summary>
/// <param name="Index">The job's position in the list given to <see cref="IModelTrainingService.TrainAll"/>.</param>
/// <param name="Name">The job's name.</param>
/// <param name="Completed">Jobs finished so far, this one included.</param>
/// <param name="Total">Jobs in the run.</param>
/// <param name="Records">Records the model was trained on.</param>
/// <param name="Training">The record of the job's training (epochs, losses, time).</param>
public sealed record TrainingJobReport(int Index, string Name, int Completed, int Total, int Records, TrainingResult Training);

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

/// <summary>Settings of <see cref="InProcessTrainingService"/>.</summary>
public sealed class InProcessTrainingOptions : OptionsBase<InProcessTrainingOptions>
{
    /// <summary>
    /// Jobs trained at the same time, each on its own thread (TorchSharp modules are independent). Default 1. Each job
    /// trains with the calling thread's intra-op thread count (<c>torch.set_num_threads</c>, carried to the worker
    /// threads); choose it so that parallelism × threads does not exceed the cores.
    /// </summary>
    public int MaxParallelism { get; set; } = 1;

    /// <inheritdoc />
    protected override void Validate() => Guard.Positive(MaxParallelism, nameof(MaxParallelism));
}

/// <summary>
/// The default <see cref="IModelTrainingService"/>: trains the jobs in this process, one after another or up to
/// <see cref="InProcessTrainingOptions.MaxParallelism"/> at once (<see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>).
/// Results come back in job order and are identical whatever the parallelism: model creation is serialised
/// (<see cref="ModelRecipe.Create"/>) because the zoo's factories seed TorchSharp's global generator, and each job's
/// batch order has its own seed.
/// </summary>
public sealed class InProcessTrainingService : IModelTrainingService
{
    private readonly InProcessTrainingOptions _options;

    /// <summary>A service with <paramref name="options"/> (null: sequential).</summary>
    public InProcessTrainingService(InProcessTrainingOptions? options = null) => _options = (options ?? new()).Validated();

    /// <summary>A copy of the settings.</summary>
    public InProcessTrainingOptions Options => _options.Copy();

    /// <inheritdoc />
    public IReadOnlyList<TrainedModel> TrainAll(IReadOnlyList<TrainingJob> jobs, IProgress<TrainingJobReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i] ?? throw new ArgumentException($"Job {i} is null.", nameof(jobs));
            if (job.Recipe is null) throw new ArgumentException($"Job {i} ('{job.Name}') has no recipe.", nameof(jobs));
            if (job.Data is null) throw new ArgumentException($"Job {i} ('{job.Name}') has no data.", nameof(jobs));
        }
        var models = new TrainedModel?[jobs.Count];
        var completed = 0;
        var reportGate = new object();
        // libtorch's CPU kernels run on OpenMP, which keeps its thread count per thread: a pool thread that ran libtorch
        // work before the caller's last torch.set_num_threads keeps its old count, so the caller's is carried over.
        var threads = TorchSharp.torch.get_num_threads();
        void TrainOne(int i)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TorchSharp.torch.get_num_threads() != threads) TorchSharp.torch.set_num_threads(threads);
            var job = jobs[i];
            var recipe = job.Recipe.Validated();
            var model = recipe.Train(job.Data, job.Step, seedOffset: job.SeedOffset, cancellationToken: cancellationToken);
            models[i] = model;
            if (progress is null) return;
            lock (reportGate)
            {
                completed++;
                progress.Report(new TrainingJobReport(i, job.Name, completed, jobs.Count, job.Data.Count, model.Training));
            }
        }
        try
        {
            if (_options.MaxParallelism == 1 || jobs.Count <= 1)
            {
                for (var i = 0; i < jobs.Count; i++) TrainOne(i);
            }
            else
            {
                try
                {
                    Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelism, CancellationToken = cancellationToken }, TrainOne);
                }
                catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
                {
                    // A job's own failure says more than the cancellations it caused elsewhere.
                    var first = e.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) ?? e.InnerExceptions[0];
                    ExceptionDispatchInfo.Capture(first).Throw();
                }
            }
        }
        catch
        {
            foreach (var m in models) m?.Dispose();
            throw;
        }
        Debug.Assert(models.All(m => m is not null));
        return models.Select(m => m!).ToArray();
    }
}
