using NeuralShield.Data;
using NeuralShield.Training;
using static TorchSharp.torch;

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
        var path = Path.Combine(context.CacheDirectory, $"{key}{context.SizeTag}-seed{context.Seed}.bin");
        if (File.Exists(path))
        {
            try
            {
                model.load(path);
                context.Log.WriteLine($"  loaded cached model {path}");
                return true;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or EndOfStreamException)
            {
                context.Log.WriteLine($"  cached model {path} unusable ({e.Message}); retraining");
            }
        }
        train();
        Directory.CreateDirectory(context.CacheDirectory);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        model.save(temp);
        File.Move(temp, path, overwrite: true);
        context.Log.WriteLine($"  cached model {path}");
        return false;
    }

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>, logging each epoch.</summary>
    public static TrainingResult Fit(ReproductionContext context, nn.Module<Tensor, Tensor> model, LabeledData train, TrainingOptions options, CancellationToken cancellationToken, ITrainingStep? step = null)
    {
        var progress = new SynchronousProgress<EpochReport>(e => context.Log.WriteLine($"  epoch {e.Epoch}: loss {e.TrainLoss:F4} ({e.Elapsed.TotalSeconds:F0} s)"));
        return new Trainer(options).Fit(model, train, step: step, progress: progress, cancellationToken: cancellationToken);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread.</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
