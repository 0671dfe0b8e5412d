namespace NeuralShield.Attacks.Inference;

/// <summary>Settings of <see cref="ShadowModelAttack"/>.</summary>
public sealed class ShadowModelAttackOptions : OptionsBase<ShadowModelAttackOptions>, IShadowAttackOptions
{
    /// <summary>How the shadow models are made (recipe, count, sampling, seed).</summary>
    public required ShadowTrainingOptions Shadows { get; set; }

    /// <summary>The attack model. Default <see cref="AttackModelKind.Mlp"/>.</summary>
    public AttackModelKind AttackModel { get; set; } = AttackModelKind.Mlp;

    /// <summary>Hidden units of the MLP attack model. Default 64.</summary>
    public int Hidden { get; set; } = 64;

    /// <summary>The attack model's input. Default <see cref="AttackFeatures.SortedWithTrueClass"/>.</summary>
    public AttackFeatures Features { get; set; } = AttackFeatures.SortedWithTrueClass;

    /// <summary>Scaling of the probability features. Default <see cref="FeatureScale.Logit"/>.</summary>
    public FeatureScale Scale { get; set; } = FeatureScale.Logit;

    /// <summary>Append the one-hot true label to the features (useful with a single attack model). Default false.</summary>
    public bool IncludeLabel { get; set; }

    /// <summary>One attack model per class (Shokri et al.), trained on the shadow records of that class; false: one model for all. Default true.</summary>
    public bool PerClass { get; set; } = true;

    /// <summary>How the attack models are trained (features are standardised first). Default Adam lr 1e-3, 30 epochs, batch 128.</summary>
    public TrainingOptions AttackTraining { get; set; } = new() { Epochs = 30, BatchSize = 128, LearningRate = 1e-3 };

    /// <summary>Seed of the attack models' weights. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>Records per query to a model. Default 1024.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <inheritdoc />
    public override ShadowModelAttackOptions Copy()
    {
        var copy = (ShadowModelAttackOptions)MemberwiseClone();
        copy.Shadows = Shadows?.Copy()!;
        copy.AttackTraining = AttackTraining?.Copy()!;
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Shadows is null) throw new ArgumentException("Shadows must be set: how the shadow models are made.", nameof(Shadows));
        Shadows = Shadows.Validated();
        if (AttackTraining is null) throw new ArgumentException("AttackTraining must be set.", nameof(AttackTraining));
        AttackTraining = AttackTraining.Validated();
        Guard.Defined(AttackModel, nameof(AttackModel));
        Guard.Defined(Features, nameof(Features));
        Guard.Defined(Scale, nameof(Scale));
        Guard.Positive(Hidden, nameof(Hidden));
        Guard.Positive(BatchSize, nameof(BatchSize));
    }
}
