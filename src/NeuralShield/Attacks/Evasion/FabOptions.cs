namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="Fab"/>. The defaults are AutoAttack's FAB-T in its standard version (L∞, ε = 0.3 for MNIST).</summary>
public sealed class FabOptions : OptionsBase<FabOptions>
{
    /// <summary>
    /// Radius ε: an adversarial counts only when its distance to the input is at most ε (AutoAttack's rule), and the random
    /// starts of the restarts after the first lie at ε/2. AutoAttack's MNIST setting: 0.3 (L∞).
    /// </summary>
    public double Epsilon { get; set; } = 0.3;

    /// <summary>The norm minimised and bounded by ε: <see cref="Norm.LInf"/> or <see cref="Norm.L2"/>.</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>Iterations per run (each: one forward and one backward pass for the linearisation, one forward pass for the check). AutoAttack: 100.</summary>
    public int Steps { get; set; } = 100;

    /// <summary>
    /// Runs per target class, each on the samples no earlier run has fooled; the first starts at the input, the others at a
    /// random point at distance ε/2. AutoAttack's FAB-T in the standard version: 1.
    /// </summary>
    public int Restarts { get; set; } = 1;

    /// <summary>
    /// The classes ranked 2nd, 3rd, … by the clean logits that are attacked in turn, each on the samples still not fooled.
    /// AutoAttack standard: 9 on 10 classes. At most the model's class count minus one.
    /// </summary>
    public int TargetClasses { get; set; } = 9;

    /// <summary>The largest weight α of the step from the input's own projection (the bias towards the input). 0.1.</summary>
    public double AlphaMax { get; set; } = 0.1;

    /// <summary>The extrapolation η of each projection step (a factor on the step, at least 1). 1.05.</summary>
    public double Eta { get; set; } = 1.05;

    /// <summary>The backward step β: an adversarial iterate is pulled to input + β·(iterate − input). 0.9.</summary>
    public double Beta { get; set; } = 0.9;

    /// <summary>Seed of the random starts.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "FAB supports the L∞ and L2 norms.");
        Guard.Positive(Steps, nameof(Steps));
        Guard.Positive(Restarts, nameof(Restarts));
        Guard.Positive(TargetClasses, nameof(TargetClasses));
        if (!(AlphaMax >= 0 && AlphaMax <= 1)) throw new ArgumentOutOfRangeException(nameof(AlphaMax), AlphaMax, "AlphaMax must lie in [0, 1].");
        if (!(Eta >= 1) || double.IsInfinity(Eta)) throw new ArgumentOutOfRangeException(nameof(Eta), Eta, "Eta must be a finite number of at least 1.");
        if (!(Beta > 0 && Beta <= 1)) throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta must lie in (0, 1].");
    }
}
