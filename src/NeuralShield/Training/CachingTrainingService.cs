namespace NeuralShield.Training;

/// <summary>
/// A decorator of any <see cref="IModelTrainingService"/> that keeps each trained model's weights in a folder under a
/// key of the job and, when asked for the same key again, loads them into a fresh module of the job's recipe instead of
/// training: the model cache of the reproductions and of anyone who trains the same recipes repeatedly. Only the jobs
/// not found are passed to the inner service (in one call, in job order); a file that cannot be loaded into the
/// recipe's module (another architecture, a truncated write) is reported and trained again. Weights are written to a
/// temporary file and moved into place, so a cancelled or concurrent run never leaves half a file under a key.
/// </summary>
/// <remarks>
/// The key must say everything that makes the weights (architecture, training settings, data, seeds): the cache
/// trusts it. A loaded model's <see cref="TrainedModel.Training"/> has no epochs and zero time. Jobs whose key is null
/// always train.
/// </remarks>
public sealed class CachingTrainingService : IModelTrainingService
{
    private readonly IModelTrainingService _inner;
    private readonly Func<TrainingJob, string?> _key;
    private readonly IProgress<string>? _log;

    /// <summary>Caches the models <paramref name="inner"/> trains in <paramref name="directory"/>, under <paramref name="key"/> of each job.</summary>
    /// <param name="inner">What trains the jobs not found.</param>
    /// <param name="directory">The cache folder (created on the first write).</param>
    /// <param name="key">A job's key: a file name without extension (letters, digits, '-', '_', '.', '='); null: do not cache the job.</param>
    /// <param name="log">Receives a line per model loaded, written or found unusable.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    public CachingTrainingService(IModelTrainingService inner, string directory, Func<TrainingJob, string?> key, IProgress<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(key);
        _inner = inner;
        Directory = Path.GetFullPath(directory);
        _key = key;
        _log = log;
    }

    /// <summary>The cache folder (full path).</summary>
    public string Directory { get; }

    /// <summary>The file that holds the weights of <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is empty or holds a character outside letters, digits, '-', '_', '.' and '='.</exception>
    public string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '=')) || key.StartsWith('.'))
            throw new ArgumentException($"A cache key is a file name of letters, digits, '-', '_', '.' and '=' (not starting with '.'); got '{key}'.", nameof(key));
        return Path.Combine(Directory, key + ".bin");
    }

    /// <inheritdoc />
    public IReadOnlyList<TrainedModel> TrainAll(IReadOnlyList<TrainingJob> jobs, IProgress<TrainingJobReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var paths = new string?[jobs.Count];
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i] ?? throw new ArgumentException($"Job {i} is null.", nameof(jobs));
            if (job.Recipe is null || job.Data is null) throw new ArgumentException($"Job {i} ('{job.Name}') has no recipe or no data.", nameof(jobs));
            paths[i] = _key(job) is { } key ? PathOf(key) : null;
        }
        var results = new TrainedModel?[jobs.Count];
        try
        {
            var misses = new List<int>();
            for (var i = 0; i < jobs.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (paths[i] is { } path && Load(jobs[i], path) is { } loaded) results[i] = loaded;
                else misses.Add(i);
            }
            var done = jobs.Count - misses.Count;
            for (var i = 0; i < jobs.Count; i++)
            {
                if (results[i] is { } cached) progress?.Report(new TrainingJobReport(i, jobs[i].Name, done, jobs.Count, jobs[i].Data.Count, cached.Training));
            }
            if (misses.Count == 0) return results!;
            var missed = misses.Select(i => jobs[i]).ToArray();
            var relay = progress is null ? null : new Relay(progress, misses, done, jobs.Count);
            var trained = _inner.TrainAll(missed, relay, cancellationToken);
            if (trained.Count != missed.Length)
            {
                foreach (var m in trained) m.Dispose();
                throw new InvalidOperationException($"The inner training service returned {trained.Count} models for {missed.Length} jobs.");
            }
            for (var j = 0; j < misses.Count; j++) results[misses[j]] = trained[j];
            for (var j = 0; j < misses.Count; j++)
            {
                if (paths[misses[j]] is { } path) Save(trained[j].Classifier.Module, path, _log);
            }
            return results!;
        }
        catch
        {
            foreach (var m in results) m?.Dispose();
            throw;
        }
    }

    /// <summary>Loads the weights at <paramref name="path"/> into <paramref name="module"/>; false (and a log line) when the file is missing or does not fit.</summary>
    internal static bool TryLoad(nn.Module<Tensor, Tensor> module, string path, IProgress<string>? log)
    {
        if (!File.Exists(path)) return false;
        try
        {
            module.load(path);
            log?.Report($"loaded cached model {path}");
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or EndOfStreamException)
        {
            log?.Report($"cached model {path} unusable ({e.Message}); training again");
            return false;
        }
    }

    /// <summary>Writes <paramref name="module"/>'s weights to <paramref name="path"/> through a temporary file moved into place.</summary>
    internal static void Save(nn.Module<Tensor, Tensor> module, string path, IProgress<string>? log = null)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        module.save(temp);
        File.Move(temp, path, overwrite: true);
        log?.Report($"cached model {path}");
    }

    private TrainedModel? Load(TrainingJob job, string path)
    {
        if (!File.Exists(path)) return null;
        var recipe = job.Recipe.Validated();
        var module = recipe.Create(job.SeedOffset);
        if (!TryLoad(module, path, _log))
        {
            module.Dispose();
            return null;
        }
        module.eval();
        return new TrainedModel(new TorchClassifier(module, job.Data.ClassCount, recipe.Bounds, job.Data.SampleShape, ownsModule: true),
            new TrainingResult([], 0, false, TimeSpan.Zero));
    }

    /// <summary>Reports the inner service's jobs under their places in the whole run.</summary>
    private sealed class Relay(IProgress<TrainingJobReport> outer, IReadOnlyList<int> places, int cached, int total) : IProgress<TrainingJobReport>
    {
        public void Report(TrainingJobReport value) =>
            outer.Report(value with { Index = places[value.Index], Completed = cached + value.Completed, Total = total });
    }
}
