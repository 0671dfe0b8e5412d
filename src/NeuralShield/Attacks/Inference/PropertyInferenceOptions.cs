using TorchSharp.Modules;

namespace NeuralShield.Attacks.Inference;

/// <summary>Settings of <see cref="PropertyInference"/>.</summary>
public sealed class PropertyInferenceOptions : OptionsBase<PropertyInferenceOptions>
{
    /// <summary>
    /// The shadow models: the target's architecture as the attacker believes it (an MLP: Linear layers with
    /// element-wise activations between them, as <see cref="ModelZoo.Mlp"/> makes), its training and bounds. Required.
    /// </summary>
    public required ModelRecipe Recipe { get; set; }

    /// <summary>Shadow models trained on data with the property, and as many without. Default 64.</summary>
    public int ShadowModelsPerSide { get; set; } = 64;

    /// <summary>Records in each shadow model's training set, drawn from the attacker's pool. Default 1000.</summary>
    public int ShadowTrainingSize { get; set; } = 1000;

    /// <summary>The share of records with the attribute in a training set that has the property. Default 0.8.</summary>
    public double PropertyShare { get; set; } = 0.8;

    /// <summary>The share of records with the attribute in a training set that lacks the property. Default 0.2.</summary>
    public double ComplementShare { get; set; } = 0.2;

    /// <summary>The fraction of shadow models of each side held out to measure the meta-classifier. Default 0.25.</summary>
    public double HeldOutFraction { get; set; } = 0.25;

    /// <summary>The representation the meta-classifier reads. Default <see cref="ParameterRepresentation.Sorted"/>.</summary>
    public ParameterRepresentation Representation { get; set; } = ParameterRepresentation.Sorted;

    /// <summary>
    /// Hidden width of the meta-classifier (one ReLU layer); 0: logistic regression on the standardised features.
    /// Default 0.
    /// </summary>
    public int MetaHidden { get; set; }

    /// <summary>Full-batch Adam iterations of the meta-classifier. Default 300.</summary>
    public int MetaIterations { get; set; } = 300;

    /// <summary>Learning rate of the meta-classifier. Default 1e-2.</summary>
    public double MetaLearningRate { get; set; } = 1e-2;

    /// <summary>L2 weight decay of the meta-classifier. Default 1e-2.</summary>
    public double MetaWeightDecay { get; set; } = 1e-2;

    /// <summary>
    /// Where the shadow models are trained (one <see cref="TrainingJob"/> per shadow, in rounds of 64). Null: in this
    /// process, one after another (<see cref="InProcessTrainingService"/>).
    /// </summary>
    public IModelTrainingService? TrainingService { get; set; }

    /// <summary>
    /// Where the knowledge's pool comes from (a dataset id known to remote workers and the pool's records in it), so
    /// that each shadow's job carries a <see cref="TrainingJob.Source"/> (its sampled records in that dataset) for a
    /// <see cref="TrainingService"/> that trains in other processes. Null: the jobs carry only the tensors.
    /// </summary>
    public DataReference? PoolSource { get; set; }

    /// <summary>Seed of the shadow data sets, shadow weights (offsets from <see cref="ModelRecipe.Seed"/>) and meta-classifier. Default 0.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    public override PropertyInferenceOptions Copy()
    {
        var copy = (PropertyInferenceOptions)MemberwiseClone();
        copy.Recipe = Recipe?.Copy()!;
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Recipe is null) throw new ArgumentException("Recipe must be set: the shadow models' architecture, training and bounds.", nameof(Recipe));
        Recipe = Recipe.Validated();
        Guard.Positive(ShadowModelsPerSide, nameof(ShadowModelsPerSide));
        if (ShadowModelsPerSide < 2) throw new ArgumentOutOfRangeException(nameof(ShadowModelsPerSide), ShadowModelsPerSide, "ShadowModelsPerSide must be at least 2 (one to train on, one to hold out).");
        Guard.Positive(ShadowTrainingSize, nameof(ShadowTrainingSize));
        Guard.InRange(PropertyShare, 0, 1, nameof(PropertyShare));
        Guard.InRange(ComplementShare, 0, 1, nameof(ComplementShare));
        if (PropertyShare == ComplementShare)
            throw new ArgumentOutOfRangeException(nameof(ComplementShare), ComplementShare, "ComplementShare must differ from PropertyShare: nothing would tell the two sides apart.");
        if (!(HeldOutFraction > 0 && HeldOutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(HeldOutFraction), HeldOutFraction, "HeldOutFraction must lie in (0, 1).");
        Guard.Defined(Representation, nameof(Representation));
        if (PoolSource is { Dataset: var id } && string.IsNullOrWhiteSpace(id)) throw new ArgumentException("PoolSource must name a dataset.", nameof(PoolSource));
        Guard.NonNegative(MetaHidden, nameof(MetaHidden));
        Guard.Positive(MetaIterations, nameof(MetaIterations));
        Guard.Positive(MetaLearningRate, nameof(MetaLearningRate));
        Guard.NonNegative(MetaWeightDecay, nameof(MetaWeightDecay));
    }
}
