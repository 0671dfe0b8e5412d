namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Settings of <see cref="BoundaryAttack"/>. The defaults are the paper's (Brendel, Rauber, Bethge 2018): orthogonal step δ and
/// source step ε both start at 0.01 and are multiplied or divided by 1.5 every 10 steps to keep the orthogonal step's success
/// near 50% and the whole step's between 20% and 50%.
/// </summary>
public sealed class BoundaryAttackOptions : OptionsBase<BoundaryAttackOptions>
{
    /// <summary>
    /// The query budget per sample, every query included (the random start and its binary search, and two per step: the
    /// orthogonal candidate and the full one). The attack never sends a sample to the model more often.
    /// </summary>
    public int MaxQueries { get; set; } = 5000;

    /// <summary>The first orthogonal (spherical) step size δ, relative to the current distance. Paper: 0.01.</summary>
    public double SphericalStep { get; set; } = 0.01;

    /// <summary>The first step toward the input ε, relative to the current distance. Paper: 0.01.</summary>
    public double SourceStep { get; set; } = 0.01;

    /// <summary>The factor by which the step sizes are adapted. Paper: 1.5.</summary>
    public double StepAdaptation { get; set; } = 1.5;

    /// <summary>Steps between adaptations of the step sizes (the success rates are counted over them).</summary>
    public int AdaptationInterval { get; set; } = 10;

    /// <summary>Random uniform points tried per sample to find a first adversarial.</summary>
    public int InitialTries { get; set; } = 100;

    /// <summary>Seed of the random starting points and steps.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(MaxQueries, nameof(MaxQueries));
        Guard.Positive(SphericalStep, nameof(SphericalStep));
        Guard.Positive(SourceStep, nameof(SourceStep));
        if (!(StepAdaptation > 1) || double.IsInfinity(StepAdaptation)) throw new ArgumentOutOfRangeException(nameof(StepAdaptation), StepAdaptation, "StepAdaptation must be a finite number above 1.");
        Guard.Positive(AdaptationInterval, nameof(AdaptationInterval));
        Guard.Positive(InitialTries, nameof(InitialTries));
    }
}
