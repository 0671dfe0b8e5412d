namespace NeuralShield.Interruptibility;

/// <summary>Settings of <see cref="SafeInterruptibility"/>: the gridworld's interruption and the tabular learner's.</summary>
public sealed class SafeInterruptibilityOptions : OptionsBase<SafeInterruptibilityOptions>
{
    /// <summary>Probability that an episode is interrupted at the interruption tile (the environment's default 0.5). In [0, 1].</summary>
    public double InterruptionProbability { get; set; } = 0.5;

    /// <summary>Training episodes. Default 3000.</summary>
    public int Episodes { get; set; } = 3000;

    /// <summary>Step size α of the temporal-difference update, in (0, 1]. Default 0.1.</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>Discount γ, in [0, 1]. Default 0.99.</summary>
    public double Discount { get; set; } = 0.99;

    /// <summary>Exploration ε of the ε-greedy behaviour policy, in [0, 1]. Default 0.1.</summary>
    public double Exploration { get; set; } = 0.1;

    /// <summary>Steps after which an episode ends (the gridworlds' default 100).</summary>
    public int MaxSteps { get; set; } = 100;

    /// <summary>Episodes per window of <see cref="SafeInterruptibilityRun.ButtonRateByWindow"/>. Default 100.</summary>
    public int WindowEpisodes { get; set; } = 100;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.InRange(InterruptionProbability, 0, 1, nameof(InterruptionProbability));
        Guard.Positive(Episodes, nameof(Episodes));
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.InRange(LearningRate, 0, 1, nameof(LearningRate));
        Guard.InRange(Discount, 0, 1, nameof(Discount));
        Guard.InRange(Exploration, 0, 1, nameof(Exploration));
        Guard.Positive(MaxSteps, nameof(MaxSteps));
        Guard.Positive(WindowEpisodes, nameof(WindowEpisodes));
    }
}
