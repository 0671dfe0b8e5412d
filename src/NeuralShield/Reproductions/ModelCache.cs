namespace NeuralShield.Reproductions;

/// <summary>Trains a model once per (name, seed) and caches its weights on disk for later reproductions.</summary>
internal static class ModelCache
{
    /// <summary>
    /// Loads the cached weights of <paramref name="key"/> into <paramref name="model"/>, or trains it with
    /// <paramref name="train"/> and saves them. Returns whether the weights came from the cache.
    /// </summary>
    public static bool LoadOrTrain(ReproductionContext context, string key, nn.Module<Tensor, Tensor> model, Action train)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        var log = context.IndentedLog();
        var path = Path.Combine(context.CacheDirectory, $"{key}{context.SizeTag}-seed{context.Seed}.bin");
        if (CachingTrainingService.TryLoad(model, path, log)) return true;
        train();
        CachingTrainingService.Save(model, path, log);
        return false;
    }

    /// <summary>
    /// <paramref name="recipe"/> trained on <paramref name="train"/> (with <paramref name="step"/>), or its weights
    /// cached under <paramref name="key"/> and the context's seed: a <see cref="CachingTrainingService"/> over the
    /// in-process service. The caller owns the model.
    /// </summary>
    public static TrainedModel Train(ReproductionContext context, string key, ModelRecipe recipe, LabeledData train, CancellationToken cancellationToken,
        ITrainingStep? step = null)
    {
        var service = new CachingTrainingService(new InProcessTrainingService(), context.CacheDirectory, _ => $"{key}{context.SizeTag}-seed{context.Seed}", context.IndentedLog());
        var progress = new SynchronousProgress<TrainingJobReport>(r => context.Log.WriteLine(r.Training.Epochs.Count == 0
            ? $"  {r.Name}: from the cache"
            : $"  {r.Name}: {r.Training.Epochs.Count} epochs, last loss {r.Training.Epochs[^1].TrainLoss:F4} ({r.Training.Elapsed.TotalSeconds:F0} s)"));
        return service.TrainAll([new TrainingJob(key, recipe, train, Step: step)], progress, cancellationToken)[0];
    }

}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread.</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
