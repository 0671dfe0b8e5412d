namespace NeuralShield.Audit;

/// <summary>Sizes and models of <see cref="AttackCatalog.Full"/>.</summary>
public sealed class AuditCatalogOptions : OptionsBase<AuditCatalogOptions>
{
    /// <summary>The shape of one sample (e.g. [64] for digits, [1, 28, 28] for MNIST); the backdoor trigger is laid on it.</summary>
    public required IReadOnlyList<long> SampleShape { get; set; }

    /// <summary>How the attacker trains shadow models (usually the target's architecture); null: no membership inference entries.</summary>
    public ModelRecipe? ShadowRecipe { get; set; }

    /// <summary>
    /// Where the membership entries' one shadow set trains (e.g. a cluster's <c>ClusterTrainingService</c>); null: in
    /// process. A service that trains elsewhere needs <see cref="AttackerDataSource"/>; the shadows' pool is then the
    /// attacker's data alone (not the candidates) and LiRA scores offline.
    /// </summary>
    public IModelTrainingService? TrainingService { get; set; }

    /// <summary>
    /// The attacker's data of the audit (<see cref="AuditData.AttackerData"/>, in its order) as records of a dataset the
    /// <see cref="TrainingService"/>'s workers serve; each shadow's job then names its rows instead of carrying them.
    /// </summary>
    public DataReference? AttackerDataSource { get; set; }

    /// <summary>Seed of every stochastic attack. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>PGD iterations. Default 20.</summary>
    public int PgdSteps { get; set; } = 20;

    /// <summary>Attacker samples a universal perturbation is fitted on. Default 300.</summary>
    public int UniversalFittingSamples { get; set; } = 300;

    /// <summary>Generations of the evolutionary fooling attack. Default 50.</summary>
    public int FoolingGenerations { get; set; } = 50;

    /// <summary>Members (and as many non-members) each membership inference entry scores. Default 300.</summary>
    public int MembershipSamples { get; set; } = 300;

    /// <summary>
    /// Shadow models of the one shadow set the membership entries share (the shadow-model attack, the loss threshold
    /// and LiRA): random halves of the attacker's data and the candidates, so at least 2. Default 8.
    /// </summary>
    public int ShadowModels { get; set; } = 8;

    /// <summary>Attacker samples the substitute starts from. Default 100.</summary>
    public int SubstituteSeeds { get; set; } = 100;

    /// <summary>Oracle queries the substitute may make. Default 3200.</summary>
    public int SubstituteBudget { get; set; } = 3200;

    /// <summary>What a valid record of tabular data is; when set, the catalog adds <c>valid-record-search</c> (a black-box evasion over valid records). Null: none.</summary>
    public FeatureSchema? Schema { get; set; }

    /// <inheritdoc />
    public override AuditCatalogOptions Copy()
    {
        var copy = base.Copy();
        copy.SampleShape = SampleShape.ToArray();
        copy.ShadowRecipe = ShadowRecipe?.Copy();
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        ArgumentNullException.ThrowIfNull(SampleShape, nameof(SampleShape));
        if (SampleShape.Count == 0 || SampleShape.Any(d => d <= 0)) throw new ArgumentException("SampleShape must list positive dimensions.", nameof(SampleShape));
        Guard.Positive(PgdSteps, nameof(PgdSteps));
        Guard.Positive(UniversalFittingSamples, nameof(UniversalFittingSamples));
        Guard.Positive(FoolingGenerations, nameof(FoolingGenerations));
        Guard.Positive(MembershipSamples, nameof(MembershipSamples));
        if (ShadowModels < 2) throw new ArgumentOutOfRangeException(nameof(ShadowModels), ShadowModels, "The shared shadows take random halves: at least 2.");
        Guard.Positive(SubstituteSeeds, nameof(SubstituteSeeds));
        if (SubstituteBudget < SubstituteSeeds) throw new ArgumentOutOfRangeException(nameof(SubstituteBudget), SubstituteBudget, "The budget must cover the seeds.");
        if (AttackerDataSource is { Dataset: var id } && string.IsNullOrWhiteSpace(id)) throw new ArgumentException("AttackerDataSource must name a dataset.", nameof(AttackerDataSource));
    }
}
