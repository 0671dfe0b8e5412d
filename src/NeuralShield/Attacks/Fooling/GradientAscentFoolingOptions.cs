namespace NeuralShield.Attacks.Fooling;

/// <summary>Settings of <see cref="GradientAscentFooling"/>.</summary>
public sealed class GradientAscentFoolingOptions : OptionsBase<GradientAscentFoolingOptions>
{
    /// <summary>The start image. Default uniform noise (Nguyen et al.).</summary>
    public FoolingStart Start { get; set; } = FoolingStart.UniformNoise;

    /// <summary>The climbed quantity. Default log-softmax of the target.</summary>
    public FoolingObjective Objective { get; set; } = FoolingObjective.LogSoftmax;

    /// <summary>The update rule. Default sign steps.</summary>
    public AscentStep Step { get; set; } = AscentStep.Sign;

    /// <summary>Step size α (in units of the input; for sign steps, per feature). Default 0.01 on inputs in [0, 1].</summary>
    public double StepSize { get; set; } = 0.01;

    /// <summary>The most steps. Default 1000.</summary>
    public int Steps { get; set; } = 1000;

    /// <summary>
    /// A sample stops moving once its target probability reaches this; the search ends when every sample has.
    /// Default 0.9999 (Nguyen et al.'s 99.99%). Must lie in (0, 1].
    /// </summary>
    public double ConfidenceThreshold { get; set; } = 0.9999;

    /// <summary>Seed of the uniform-noise start.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (!Enum.IsDefined(Start)) throw new ArgumentOutOfRangeException(nameof(Start), Start, "Unknown start.");
        if (!Enum.IsDefined(Objective)) throw new ArgumentOutOfRangeException(nameof(Objective), Objective, "Unknown objective.");
        if (!Enum.IsDefined(Step)) throw new ArgumentOutOfRangeException(nameof(Step), Step, "Unknown step rule.");
        Guard.Positive(StepSize, nameof(StepSize));
        Guard.Positive(Steps, nameof(Steps));
        if (!(ConfidenceThreshold > 0 && ConfidenceThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(ConfidenceThreshold), ConfidenceThreshold, "ConfidenceThreshold must lie in (0, 1].");
    }
}
