namespace NeuralShield.Attacks.Inference;

/// <summary>How shadow models are made: the recipe, how many, how the attacker's pool is shared, and the seed.</summary>
public sealed class ShadowTrainingOptions : OptionsBase<ShadowTrainingOptions>
{
    /// <summary>How each shadow is built and trained, like the target (same architecture and training, as far as the attacker knows).</summary>
    public required ModelRecipe Recipe { get; set; }

    /// <summary>Number of shadow models k (positive). Default 8.</summary>
    public int Count { get; set; } = 8;

    /// <summary>How the pool is shared. Default <see cref="ShadowSampling.Disjoint"/>.</summary>
    public ShadowSampling Sampling { get; set; } = ShadowSampling.Disjoint;

    /// <summary>
    /// Records each shadow trains on (and holds out), ideally the target's training-set size. Null: half the share
    /// (disjoint), a quarter of the pool (overlapping). Ignored by <see cref="ShadowSampling.RandomHalves"/>.
    /// </summary>
    public int? TrainSize { get; set; }

    /// <summary>A training step for the shadows (e.g. the target's training defense); null: plain cross-entropy.</summary>
    public ITrainingStep? Step { get; set; }

    /// <summary>Seed of the sampling; shadow i's weights use the recipe's seed + 1 + i and its batch order the training seed + 1 + i. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>
    /// Shadows trained at the same time (each on its own thread; TorchSharp modules are independent). Default 1. With
    /// more than one, set TorchSharp's intra-op threads (<c>torch.set_num_threads</c>) so that parallelism × threads
    /// does not exceed the cores.
    /// </summary>
    public int MaxParallelism { get; set; } = 1;

    /// <summary>
    /// Where the shadows are trained (one <see cref="TrainingJob"/> per shadow). Null: in this process — as one stacked
    /// ensemble (<see cref="StackedTrainingService"/>) when the shadows stack and <see cref="MaxParallelism"/> is 1,
    /// else by an <see cref="InProcessTrainingService"/> with <see cref="MaxParallelism"/>; when set,
    /// <see cref="MaxParallelism"/> is the service's business and ignored here.
    /// </summary>
    public IModelTrainingService? TrainingService { get; set; }

    /// <summary>
    /// Where the attacker's pool comes from (a dataset id known to remote workers and the pool's records in it), so
    /// that each shadow's job carries a <see cref="TrainingJob.Source"/> (the dataset and its shard's indices) for a
    /// <see cref="TrainingService"/> that trains in other processes. Null: the jobs carry only the tensors.
    /// </summary>
    public DataReference? PoolSource { get; set; }

    /// <inheritdoc />
    public override ShadowTrainingOptions Copy()
    {
        var copy = (ShadowTrainingOptions)MemberwiseClone();
        copy.Recipe = Recipe?.Copy()!;
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Recipe is null) throw new ArgumentException("Recipe must be set: how each shadow model is built and trained.", nameof(Recipe));
        Recipe = Recipe.Validated();
        Guard.Positive(Count, nameof(Count));
        Guard.Defined(Sampling, nameof(Sampling));
        if (Sampling == ShadowSampling.RandomHalves && Count < 2)
            throw new ArgumentOutOfRangeException(nameof(Count), Count, "RandomHalves needs at least 2 shadow models (each record in half of them).");
        if (TrainSize is { } t) Guard.Positive(t, nameof(TrainSize));
        Guard.Positive(MaxParallelism, nameof(MaxParallelism));
        if (PoolSource is { Dataset: var id } && string.IsNullOrWhiteSpace(id)) throw new ArgumentException("PoolSource must name a dataset.", nameof(PoolSource));
    }
}
