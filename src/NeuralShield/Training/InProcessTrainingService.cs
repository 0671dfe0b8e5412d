using System.Runtime.ExceptionServices;

namespace NeuralShield.Training;

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
