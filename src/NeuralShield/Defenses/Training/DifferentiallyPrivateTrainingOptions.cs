using NeuralShield.Privacy;

namespace NeuralShield.Defenses.Training;

/// <summary>Settings of <see cref="DifferentiallyPrivateTraining"/>.</summary>
public sealed class DifferentiallyPrivateTrainingOptions : OptionsBase<DifferentiallyPrivateTrainingOptions>
{
    /// <summary>
    /// The model. Its trainable parameters must all sit in Linear and Conv2d layers (no batch normalisation). Its
    /// <see cref="ModelRecipe.Training"/> gives the epochs, the expected lot size L (<see cref="TrainingOptions.BatchSize"/>),
    /// the optimiser (the paper: plain SGD, i.e. <see cref="OptimizerKind.Sgd"/> with momentum 0), the learning rate and
    /// the seed of the sampling. Early stopping is refused (the accountant counts the planned steps). Required.
    /// </summary>
    public required ModelRecipe Recipe { get; set; }

    /// <summary>The per-sample clipping norm C. Default 1 (Opacus' MNIST example; Abadi et al. used 4 on MNIST with PCA).</summary>
    public double ClipNorm { get; set; } = 1.0;

    /// <summary>
    /// The noise multiplier σ (noise standard deviation σC). Null (default): the smallest σ whose run stays within
    /// (<see cref="TargetEpsilon"/>, <see cref="Delta"/>).
    /// </summary>
    public double? NoiseMultiplier { get; set; }

    /// <summary>The ε the noise is calibrated to when <see cref="NoiseMultiplier"/> is null. Default 2.</summary>
    public double TargetEpsilon { get; set; } = 2.0;

    /// <summary>δ of the (ε, δ) guarantee; should be below 1/N. Default 1e-5 (the paper's MNIST value).</summary>
    public double Delta { get; set; } = 1e-5;

    /// <summary>How lots are formed. Default <see cref="LotSampling.Poisson"/>.</summary>
    public LotSampling Sampling { get; set; } = LotSampling.Poisson;

    /// <summary>The Rényi orders of the accountant. Null (default): <see cref="RdpAccountant.DefaultOrders"/>.</summary>
    public IReadOnlyList<double>? Orders { get; set; }

    /// <summary>Seed of the noise (the sampling follows <see cref="TrainingOptions.Seed"/>). Default 0.</summary>
    public long NoiseSeed { get; set; }

    /// <inheritdoc />
    public override DifferentiallyPrivateTrainingOptions Copy()
    {
        var copy = (DifferentiallyPrivateTrainingOptions)MemberwiseClone();
        copy.Recipe = Recipe?.Copy()!;
        copy.Orders = Orders?.ToArray();
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Recipe is null) throw new ArgumentException("Recipe must be set: an architecture of Linear/Conv2d layers, training, seed, device and bounds.", nameof(Recipe));
        Recipe = Recipe.Validated();
        if (Recipe.Training.EarlyStopPatience is not null)
            throw new ArgumentException("DP-SGD does not support early stopping: the privacy accounting counts the planned steps. Set Recipe.Training.EarlyStopPatience to null.", nameof(Recipe));
        if (Recipe.Training.Schedule != LearningRateSchedule.Constant)
            throw new ArgumentException("DP-SGD keeps the learning rate constant; set Recipe.Training.Schedule to LearningRateSchedule.Constant.", nameof(Recipe));
        Guard.Positive(ClipNorm, nameof(ClipNorm));
        if (NoiseMultiplier is { } sigma) Guard.Positive(sigma, nameof(NoiseMultiplier));
        Guard.Positive(TargetEpsilon, nameof(TargetEpsilon));
        if (!(Delta > 0 && Delta < 1)) throw new ArgumentOutOfRangeException(nameof(Delta), Delta, "Delta must lie in (0, 1).");
        Guard.Defined(Sampling, nameof(Sampling));
        if (Orders is not null && (Orders.Count == 0 || Orders.Any(a => !(a > 1))))
            throw new ArgumentOutOfRangeException(nameof(Orders), "Orders must list at least one Rényi order, each greater than 1.");
    }
}
