namespace NeuralShield.Training;

/// <summary>
/// An <see cref="IModelTrainingService"/> that trains all its jobs as one stacked ensemble (<see cref="StackedMlp"/>:
/// weights [k, in, out], batched matrix products, one loop) instead of k loops — the in-process fast path for many small
/// MLPs such as shadow models. Each job gets the initial weights (its recipe's seed plus its offset) and the batch order
/// (its training seed) it would get alone, so the result matches <see cref="InProcessTrainingService"/> up to
/// floating-point summation order.
/// </summary>
/// <remarks>
/// The jobs must stack: MLP architectures of one shape (Flatten, Linear layers, one element-wise activation), plain
/// cross-entropy (no <see cref="TrainingJob.Step"/>), no early stopping, a constant learning rate, and training sets of
/// one size (disjoint or overlapping shadow sampling, not random halves). A run that does not is refused before any
/// training, naming the job and the reason.
/// </remarks>
public sealed class StackedTrainingService : IModelTrainingService
{
    /// <inheritdoc />
    /// <exception cref="ArgumentException">The jobs cannot be trained as one stacked ensemble (the message says why).</exception>
    public IReadOnlyList<TrainedModel> TrainAll(IReadOnlyList<TrainingJob> jobs, IProgress<TrainingJobReport>? progress = null, CancellationToken cancellationToken = default) =>
        Train(jobs, progress, refused: why => throw new ArgumentException(why, nameof(jobs)), cancellationToken)!;

    /// <summary>
    /// <see cref="TrainAll"/>, or null without training when the jobs cannot be trained as one stacked ensemble, for
    /// callers that then train them another way: each job's module is built once, for the check and the training.
    /// </summary>
    internal static IReadOnlyList<TrainedModel>? TryTrainAll(IReadOnlyList<TrainingJob> jobs, IProgress<TrainingJobReport>? progress = null, CancellationToken cancellationToken = default) =>
        Train(jobs, progress, refused: _ => { }, cancellationToken);

    /// <summary>
    /// Why <paramref name="jobs"/> (each with a recipe and data) cannot be trained as one stacked ensemble, or null when
    /// they can: the checks <see cref="TrainAll"/> makes before any training.
    /// </summary>
    internal static string? Refusal(IReadOnlyList<TrainingJob> jobs)
    {
        if (SettingsRefusal(jobs) is { } why) return why;
        var modules = jobs.Select(j => j.Recipe.Create(j.SeedOffset)).ToArray();
        try
        {
            return ModuleRefusal(jobs, modules);
        }
        finally
        {
            foreach (var m in modules) m.Dispose();
        }
    }

    private static IReadOnlyList<TrainedModel>? Train(IReadOnlyList<TrainingJob> jobs, IProgress<TrainingJobReport>? progress, Action<string> refused, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0) return [];
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i] ?? throw new ArgumentException($"Job {i} is null.", nameof(jobs));
            if (job.Recipe is null || job.Data is null) throw new ArgumentException($"Job {i} ('{job.Name}') has no recipe or no data.", nameof(jobs));
        }
        if (SettingsRefusal(jobs) is { } why)
        {
            refused(why);
            return null;
        }
        var modules = new List<nn.Module<Tensor, Tensor>>();
        try
        {
            foreach (var job in jobs) modules.Add(job.Recipe.Create(job.SeedOffset));
            if (ModuleRefusal(jobs, modules) is { } architecture)
            {
                refused(architecture);
                return null;
            }
            IReadOnlyList<TrainingResult> records;
            using (var stacked = StackedMlp.FromModules(modules))
            {
                records = stacked.Fit(jobs.Select(j => j.Data).ToArray(), jobs.Select(j => j.Recipe.Training).ToArray(), cancellationToken);
                for (var k = 0; k < modules.Count; k++) stacked.CopyTo(k, modules[k]);
            }
            var models = new TrainedModel[jobs.Count];
            for (var k = 0; k < jobs.Count; k++)
            {
                var job = jobs[k];
                models[k] = new TrainedModel(new TorchClassifier(modules[k], job.Data.ClassCount, job.Recipe.Bounds, job.Data.SampleShape, ownsModule: true), records[k]);
                progress?.Report(new TrainingJobReport(k, job.Name, k + 1, jobs.Count, job.Data.Count, records[k]));
            }
            modules.Clear();
            return models;
        }
        finally
        {
            foreach (var m in modules) m.Dispose();
        }
    }

    private static string? SettingsRefusal(IReadOnlyList<TrainingJob> jobs)
    {
        var first = jobs[0].Recipe.Validated().Training;
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            var training = job.Recipe.Validated().Training;
            if (job.Step is not null) return $"Job {i} ('{job.Name}'): stacked models train with plain cross-entropy; its step must be null.";
            if (training.EarlyStopPatience is not null) return $"Job {i} ('{job.Name}'): stacked models do not support early stopping.";
            if (training.Schedule != LearningRateSchedule.Constant)
                return $"Job {i} ('{job.Name}'): stacked models keep the learning rate constant; set the recipe's Training.Schedule to Constant.";
            if (training.Epochs != first.Epochs || training.BatchSize != first.BatchSize || training.Optimizer != first.Optimizer
                || training.LearningRate != first.LearningRate || training.Momentum != first.Momentum || training.WeightDecay != first.WeightDecay)
                return $"Job {i} ('{job.Name}'): stacked models share epochs, batch size, optimiser, learning rate, momentum and weight decay with job 0.";
            if (job.Data.Count != jobs[0].Data.Count || job.Data.ClassCount != jobs[0].Data.ClassCount)
                return $"Job {i} ('{job.Name}') trains on {job.Data.Count} records of {job.Data.ClassCount} classes, job 0 on {jobs[0].Data.Count} of {jobs[0].Data.ClassCount}: stacked models need training sets of one size and class count.";
        }
        return null;
    }

    private static string? ModuleRefusal(IReadOnlyList<TrainingJob> jobs, IReadOnlyList<nn.Module<Tensor, Tensor>> modules)
    {
        for (var i = 0; i < modules.Count; i++)
        {
            if (!StackedMlp.CanStack(modules[i]))
                return $"Job {i} ('{jobs[i].Name}'): only MLP architectures (Flatten, Linear layers, one element-wise activation) stack.";
        }
        return StackedMlp.SameLayers(modules) ? null : "The jobs' MLPs differ in their layers or activation; stacked models need one architecture.";
    }
}
