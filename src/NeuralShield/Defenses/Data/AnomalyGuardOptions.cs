namespace NeuralShield.Defenses.Data;

/// <summary>Settings of an <see cref="AnomalyGuard"/>.</summary>
public sealed class AnomalyGuardOptions : OptionsBase<AnomalyGuardOptions>
{
    /// <summary>The score. Default <see cref="AnomalyScore.Loss"/>.</summary>
    public AnomalyScore Score { get; set; } = AnomalyScore.Loss;

    /// <summary>The threshold is this quantile of the clean calibration scores (per class for centroid distances): the share of clean points admitted. Default 0.99.</summary>
    public double Quantile { get; set; } = 0.99;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Defined(Score, nameof(Score));
        if (!(Quantile > 0 && Quantile <= 1)) throw new ArgumentOutOfRangeException(nameof(Quantile), Quantile, "Quantile must lie in (0, 1].");
    }
}
