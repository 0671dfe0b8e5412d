namespace NeuralShield.Attacks.Inference;

/// <summary>Settings of <see cref="ThresholdAttack"/>.</summary>
public sealed class ThresholdAttackOptions : OptionsBase<ThresholdAttackOptions>, IShadowAttackOptions
{
    /// <summary>The statistic thresholded. Default <see cref="ThresholdScore.Loss"/>.</summary>
    public ThresholdScore Score { get; set; } = ThresholdScore.Loss;

    /// <summary>
    /// Shadow models to choose the threshold on (the threshold that maximises the accuracy of telling their in from
    /// their out records, as Song and Mittal do). Null: no shadows, see <see cref="ReferenceFalsePositiveRate"/>.
    /// </summary>
    public ShadowTrainingOptions? Shadows { get; set; }

    /// <summary>
    /// Without shadows: the threshold is set on the target's scores of the attacker's data, all non-members, so that
    /// this share of them scores above it. Null (default): no threshold (NaN; the ROC numbers need none).
    /// </summary>
    public double? ReferenceFalsePositiveRate { get; set; }

    /// <summary>Records per query. Default 1024.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <inheritdoc />
    public override ThresholdAttackOptions Copy()
    {
        var copy = (ThresholdAttackOptions)MemberwiseClone();
        copy.Shadows = Shadows?.Copy();
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Defined(Score, nameof(Score));
        Shadows = Shadows?.Validated();
        if (ReferenceFalsePositiveRate is { } f) Guard.InRange(f, 0, 1, nameof(ReferenceFalsePositiveRate));
        Guard.Positive(BatchSize, nameof(BatchSize));
    }
}
