namespace NeuralShield.Attacks.Fooling;

/// <summary>Settings of <see cref="EvolutionaryFooling"/>.</summary>
public sealed class EvolutionaryFoolingOptions : OptionsBase<EvolutionaryFoolingOptions>
{
    /// <summary>Children per target and generation λ (elitist strategy), or children per generation (MAP-Elites); also the size of the random initial population. Default 200.</summary>
    public int PopulationSize { get; set; } = 200;

    /// <summary>
    /// The number μ of best individuals per target kept as parents by <see cref="EvolutionStrategy.ElitistPopulation"/>
    /// (capped at <see cref="PopulationSize"/>). Default 1: a (1 + λ) strategy, each generation's children all
    /// come from the best individual so far, which on MNIST reached 99.99% in fewer generations than μ = 3 or 10.
    /// </summary>
    public int ParentCount { get; set; } = 1;

    /// <summary>The most generations. Default 200 (the length of Nguyen et al.'s MNIST runs).</summary>
    public int Generations { get; set; } = 200;

    /// <summary>The probability that each feature of a child is mutated. Nguyen et al.: 0.1.</summary>
    public double MutationRate { get; set; } = 0.1;

    /// <summary>
    /// The mutation rate halves every this many generations (Nguyen et al.: every 1000); null keeps it fixed.
    /// </summary>
    public int? MutationRateHalvingGenerations { get; set; } = 1000;

    /// <summary>The distribution index η of polynomial mutation (Deb and Agrawal); larger means smaller changes. Nguyen et al.: 15.</summary>
    public double DistributionIndex { get; set; } = 15;

    /// <summary>A target stops evolving once its best individual's probability reaches this. Default 0.9999 (Nguyen et al.'s 99.99%); in (0, 1].</summary>
    public double ConfidenceThreshold { get; set; } = 0.9999;

    /// <summary>The selection scheme. Default <see cref="EvolutionStrategy.ElitistPopulation"/>.</summary>
    public EvolutionStrategy Strategy { get; set; } = EvolutionStrategy.ElitistPopulation;

    /// <summary>Seed of the initial population, the parent draws and the mutations.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(PopulationSize, nameof(PopulationSize));
        Guard.Positive(Generations, nameof(Generations));
        Guard.Positive(ParentCount, nameof(ParentCount));
        if (!(MutationRate > 0 && MutationRate <= 1)) throw new ArgumentOutOfRangeException(nameof(MutationRate), MutationRate, "MutationRate must lie in (0, 1].");
        if (MutationRateHalvingGenerations is { } h) Guard.Positive(h, nameof(MutationRateHalvingGenerations));
        Guard.Positive(DistributionIndex, nameof(DistributionIndex));
        if (!(ConfidenceThreshold > 0 && ConfidenceThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(ConfidenceThreshold), ConfidenceThreshold, "ConfidenceThreshold must lie in (0, 1].");
        if (!Enum.IsDefined(Strategy)) throw new ArgumentOutOfRangeException(nameof(Strategy), Strategy, "Unknown strategy.");
    }
}
