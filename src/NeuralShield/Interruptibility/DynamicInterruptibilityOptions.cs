namespace NeuralShield.Interruptibility;

/// <summary>Settings of <see cref="DynamicInterruptibility"/>.</summary>
public sealed class DynamicInterruptibilityOptions : OptionsBase<DynamicInterruptibilityOptions>
{
    /// <summary>Probability θ that the operator interrupts the front car in a round (it then brakes). In [0, 1]. Default 0.5.</summary>
    public double InterruptionProbability { get; set; } = 0.5;

    /// <summary>Rounds of the repeated game. Default 200000.</summary>
    public int Rounds { get; set; } = 200000;

    /// <summary>Exploration ε of each agent's ε-greedy policy, in [0, 1]. Default 0.1.</summary>
    public double Exploration { get; set; } = 0.1;

    /// <summary>Discount γ, in [0, 1). Default 0.9.</summary>
    public double Discount { get; set; } = 0.9;

    /// <summary>
    /// Exponent ω of the step size α = n<sup>−ω</sup>, n the visits of the updated entry (Even-Dar &amp; Mansour's polynomial
    /// rate), in (0.5, 1]. Default 0.8.
    /// </summary>
    public double LearningRateExponent { get; set; } = 0.8;

    /// <summary>Value snapshots recorded along training (for the learning curve). Default 20.</summary>
    public int Snapshots { get; set; } = 20;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.InRange(InterruptionProbability, 0, 1, nameof(InterruptionProbability));
        Guard.Positive(Rounds, nameof(Rounds));
        Guard.InRange(Exploration, 0, 1, nameof(Exploration));
        Guard.InRange(Discount, 0, 1, nameof(Discount));
        if (Discount >= 1) throw new ArgumentOutOfRangeException(nameof(Discount), Discount, $"{nameof(Discount)} must be below 1.");
        if (!(LearningRateExponent > 0.5 && LearningRateExponent <= 1))
            throw new ArgumentOutOfRangeException(nameof(LearningRateExponent), LearningRateExponent, $"{nameof(LearningRateExponent)} must lie in (0.5, 1].");
        Guard.Positive(Snapshots, nameof(Snapshots));
        if (Snapshots > Rounds) throw new ArgumentOutOfRangeException(nameof(Snapshots), Snapshots, $"{nameof(Snapshots)} must be at most {nameof(Rounds)} ({Rounds}).");
    }
}
