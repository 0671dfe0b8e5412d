namespace NeuralShield.Reproductions;

/// <summary>What every reproduction receives.</summary>
/// <param name="DataDirectory">The data folder: MNIST in IDX format (train-first10k-* or train-*, and t10k-*) or UCI Adult.</param>
/// <param name="Samples">Number of test images to attack (null: the reproduction's default).</param>
/// <param name="Seed">Seed of training and of the attacks.</param>
/// <param name="Device">Where tensors live.</param>
/// <param name="CacheDirectory">Where trained models are cached (by reproduction, model and seed).</param>
/// <param name="Log">Progress output.</param>
/// <param name="Epochs">
/// Training epochs of the models a defense reproduction trains (null: the reproduction's); in the other reproductions, of
/// every model they train (a size knob, as <paramref name="TrainSamples"/>).
/// </param>
/// <param name="TrainSteps">PGD steps of adversarial training (null: the reproduction's).</param>
/// <param name="Lambda">Saturation penalty weight λ (null: the reproduction's).</param>
/// <param name="BlackBoxes">Models queried as black boxes (substitute: the first is the oracle; transfer: extra columns and substitute rows).</param>
/// <param name="Variants">Choices of the reproduction's variants, key → value (null: none given).</param>
/// <param name="RemoteTraining">Where membership on Adult trains its shadows (null: in process).</param>
/// <param name="TrainSamples">
/// At most this many training records are loaded (the first of the file; null: all). A size knob for quick checks: the
/// numbers are then not the paper's, and cached models get their own keys.
/// </param>
/// <param name="Shadows">Shadow models of the inference reproductions (per side for property inference; null: the reproduction's).</param>
/// <param name="TestOrder">
/// Seed of a random permutation of the MNIST test images: the reproductions that attack "the first N test images" take
/// the first N of that order instead (null: the file's order), so that a result can be re-run on other images.
/// </param>
/// <param name="Iterations">Cap on the iterations of a reproduction's search loops (fooling: generations of the evolutionary searches; universal: passes and epochs; null: the reproduction's).</param>
internal sealed record ReproductionContext(string DataDirectory, int? Samples, long Seed, Device Device, string CacheDirectory, TextWriter Log,
    int? Epochs = null, int? TrainSteps = null, double? Lambda = null, IReadOnlyList<BlackBoxModel>? BlackBoxes = null,
    IReadOnlyDictionary<string, string>? Variants = null, RemoteShadowTraining? RemoteTraining = null, int? TrainSamples = null, int? Shadows = null, int? Iterations = null, long? TestOrder = null)
{
    /// <summary>
    /// Appended to cache keys when a size knob is set (<see cref="TrainSamples"/>, <see cref="Epochs"/>), so that a model
    /// trained at another size is never loaded for a full-size run; empty otherwise.
    /// </summary>
    /// <summary>Progress lines written to <see cref="Log"/> on the calling thread, indented by two spaces.</summary>
    internal IProgress<string> IndentedLog() => new SynchronousProgress<string>(line => Log.WriteLine("  " + line));

    internal string SizeTag => (TrainSamples is { } n ? $"-n{n}" : "") + (Epochs is { } e ? $"-epochs{e}" : "");

    /// <summary>The first <see cref="TrainSamples"/> records of <paramref name="train"/> (disposing it), or it unchanged when no cap is set or it is smaller.</summary>
    internal LabeledData CapTrain(LabeledData train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (TrainSamples is not { } cap || cap >= train.Count) return train;
        using (train) return train.Take(cap);
    }

    /// <summary>
    /// <c>--variant train=2500|5000</c>: the first N of <paramref name="train"/> (a new set the caller disposes), to measure
    /// how a result depends on the data the model saw; null when the variant is not given or N is not below the set's size.
    /// </summary>
    internal LabeledData? FewerTrainingImages(LabeledData train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var chosen = Variant("train", "all", "2500", "5000");
        if (chosen == "all") return null;
        var count = int.Parse(chosen, CultureInfo.InvariantCulture);
        return count >= train.Count ? null : train.Take(count);
    }

    /// <summary>
    /// The value chosen for variant <paramref name="key"/>: <paramref name="fallback"/> when not given, otherwise one of
    /// <paramref name="fallback"/> and <paramref name="others"/> (case-insensitive).
    /// </summary>
    /// <exception cref="ReproductionSettingException">The value is none of them.</exception>
    public string Variant(string key, string fallback, params string[] others)
    {
        if (Variants is null || !Variants.TryGetValue(key, out var text)) return fallback;
        text = text.Trim().ToLowerInvariant();
        if (text != fallback && !others.Contains(text))
            throw new ReproductionSettingException($"--variant {key} must be {string.Join(" or ", new[] { fallback }.Concat(others))}; got '{text}'.");
        return text;
    }
}
