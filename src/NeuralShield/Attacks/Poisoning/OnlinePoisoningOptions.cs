namespace NeuralShield.Attacks.Poisoning;

/// <summary>Settings of <see cref="OnlinePoisoning"/>.</summary>
public sealed class OnlinePoisoningOptions : OptionsBase<OnlinePoisoningOptions>
{
    /// <summary>Sources the attacker controls (a coordinated group, e.g. sock-puppet accounts). Default 4.</summary>
    public int AttackerSources { get; set; } = 4;

    /// <summary>Poisoned points each attacker source sends per round. Default 8.</summary>
    public int PointsPerSource { get; set; } = 8;

    /// <summary>Honest sources sending clean data. Default 4.</summary>
    public int CleanSources { get; set; } = 4;

    /// <summary>Clean points each honest source sends per round. Default 32.</summary>
    public int CleanBatchSize { get; set; } = 32;

    /// <summary>The attacker stops after sending this many poisoned points. Default 2048.</summary>
    public int MaxPoisonedPoints { get; set; } = 2048;

    /// <summary>Half-width of the uniform L∞ jitter around the target input that makes the poisoned points distinct. Default 0.05.</summary>
    public double Jitter { get; set; } = 0.05;

    /// <summary>Seed of the jitter and of the clean stream's order.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(AttackerSources, nameof(AttackerSources));
        Guard.Positive(PointsPerSource, nameof(PointsPerSource));
        Guard.NonNegative(CleanSources, nameof(CleanSources));
        Guard.Positive(CleanBatchSize, nameof(CleanBatchSize));
        Guard.Positive(MaxPoisonedPoints, nameof(MaxPoisonedPoints));
        Guard.NonNegative(Jitter, nameof(Jitter));
    }
}
