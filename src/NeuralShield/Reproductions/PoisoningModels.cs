namespace NeuralShield.Reproductions;

/// <summary>
/// LeNet-5 trained on a poisoned or sanitized MNIST set with the shared LeNet-5 settings, cached under a key named after
/// the set (the set is a deterministic function of the seed), so <c>poisoning</c> and <c>backdoor-detection</c> share
/// their models.
/// </summary>
internal static class PoisoningModels
{
    /// <summary>Epochs of the models trained on poisoned or sanitized sets (as the clean reference).</summary>
    public const int Epochs = 10;

    /// <summary>The recipe: LeNet-5 (ReLU), Adam lr 1e-3, batch 128, <see cref="Epochs"/> epochs, seeded with the context's seed.</summary>
    public static ModelRecipe Recipe(ReproductionContext context) => new()
    {
        Architecture = s => ModelZoo.LeNet5(10, 1, Activation.ReLU, s),
        Training = new TrainingOptions { Epochs = Epochs, BatchSize = 128, LearningRate = 1e-3, Seed = context.Seed },
        Seed = context.Seed,
        Device = context.Device,
    };

    /// <summary>
    /// The model of <paramref name="data"/> (<paramref name="what"/> names the set in the cache key and the log); run &gt; 0:
    /// another training run of the same set (weights and batch order seeded seed + run). Seconds of a training (not a
    /// cache load) are added to <paramref name="timings"/>.
    /// </summary>
    public static TorchClassifier Train(ReproductionContext context, ModelRecipe recipe, LabeledData data, string what, IDictionary<string, double> timings,
        CancellationToken cancellationToken, int epochs = Epochs, LearningRateSchedule schedule = LearningRateSchedule.Constant, int run = 0)
    {
        var watch = Stopwatch.StartNew();
        var key = $"poisoning-v1-lenet5-e{epochs}{(schedule == LearningRateSchedule.Cosine ? "cos" : "")}{(run == 0 ? "" : $"-run{run}")}-" + new string(what.Select(ch => char.IsLetterOrDigit(ch) ? ch : '-').ToArray());
        var runRecipe = recipe.Copy();
        runRecipe.Seed = unchecked(recipe.Seed + run);
        runRecipe.Training.Epochs = context.Epochs ?? epochs;
        runRecipe.Training.Schedule = schedule;
        runRecipe.Training.Seed = unchecked(recipe.Training.Seed + run);
        var model = ModelCache.Train(context, key, runRecipe, data, cancellationToken);
        var cached = model.Training.Epochs.Count == 0;
        if (!cached) timings[run == 0 ? what : $"{what} run {run}"] = watch.Elapsed.TotalSeconds;
        context.Log.WriteLine($"  {(cached ? "loaded" : "trained")} the model of {what} ({data.Count} points) in {watch.Elapsed.TotalSeconds:F0} s");
        return model.Classifier;
    }
}
