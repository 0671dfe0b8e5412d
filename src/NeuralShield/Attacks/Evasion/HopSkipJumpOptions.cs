namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Settings of <see cref="HopSkipJump"/>. The defaults are the authors' (Chen, Jordan, Wainwright; their code hsja.py):
/// γ = 1, 100 gradient probes at the first iteration growing as 100·√t up to 10,000, geometric step-size search, 100
/// random tries for the starting point; the budget is the library's.
/// </summary>
public sealed class HopSkipJumpOptions : OptionsBase<HopSkipJumpOptions>
{
    /// <summary>The norm the perturbation is minimised in: <see cref="Norm.L2"/> or <see cref="Norm.LInf"/>.</summary>
    public Norm Norm { get; set; } = Norm.L2;

    /// <summary>
    /// The query budget per sample, every query included (the starting point's search, the probes, the step-size and
    /// binary searches): the attack never sends a sample to the model more often, and returns the best adversarial it
    /// holds when the budget runs out.
    /// </summary>
    public int MaxQueries { get; set; } = 5000;

    /// <summary>Most iterations (gradient estimate, step, binary search) per sample; the budget usually ends the run first.</summary>
    public int MaxIterations { get; set; } = 1000;

    /// <summary>Probes of the gradient estimate at iteration 1 (B₀); iteration t uses B₀·√t. Authors: 100.</summary>
    public int InitialEvaluations { get; set; } = 100;

    /// <summary>The cap on the probes of one gradient estimate. Authors: 10,000.</summary>
    public int MaxEvaluations { get; set; } = 10_000;

    /// <summary>γ, which sets the binary search's tolerance θ = γ/d^{3/2} (L2) or γ/d² (L∞) for d features. Authors: 1.</summary>
    public double Gamma { get; set; } = 1.0;

    /// <summary>Random uniform points tried per sample to find a first adversarial. Authors' ART port: 100.</summary>
    public int InitialTries { get; set; } = 100;

    /// <summary>Seed of the random starting points and probe directions.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Norm is not (Norm.L2 or Norm.LInf)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "HopSkipJump minimises the L2 or the L∞ norm.");
        Guard.Positive(MaxQueries, nameof(MaxQueries));
        Guard.Positive(MaxIterations, nameof(MaxIterations));
        Guard.Positive(InitialEvaluations, nameof(InitialEvaluations));
        Guard.Positive(MaxEvaluations, nameof(MaxEvaluations));
        Guard.Positive(Gamma, nameof(Gamma));
        Guard.Positive(InitialTries, nameof(InitialTries));
    }
}
