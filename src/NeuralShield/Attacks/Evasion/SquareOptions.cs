using NeuralShield.Metrics;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="SquareAttack"/> (L∞ or L2). The defaults are AutoAttack's (L∞, ε = 0.3 for MNIST).</summary>
public sealed class SquareOptions : OptionsBase<SquareOptions>
{
    /// <summary>The norm of the ball: <see cref="Norm.LInf"/> (the paper's Algorithm 2) or <see cref="Norm.L2"/> (Algorithm 3).</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>Radius ε of the ball.</summary>
    public double Epsilon { get; set; } = 0.3;

    /// <summary>
    /// The query budget per sample, the initial query included: the attack never sends a sample to the model more often.
    /// AutoAttack's <c>n_queries = 5000</c> iterations after its initial query are a budget of 5,001.
    /// </summary>
    public int MaxQueries { get; set; } = 5001;

    /// <summary>The initial share p of the image a square covers (halved on the paper's schedule of iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000). 0.8 (AutoAttack) or 0.05 (the paper's MNIST setting for undefended models).</summary>
    public double PInit { get; set; } = 0.8;

    /// <summary>
    /// Rescale the schedule of p to the budget (iteration i counts as ⌊i·10000/budget⌋), as the paper's code does for
    /// budgets other than 10,000. AutoAttack turns it off.
    /// </summary>
    public bool RescaleSchedule { get; set; }

    /// <summary>
    /// Draw the place of each iteration's square (L2: both windows and the orientation of the profile) and, L∞, its signs
    /// for every sample separately. Off (the default, AutoAttack's square.py): one place — and, L∞, one sign per channel —
    /// per iteration for the whole batch, so that a result depends on which samples share a batch. The paper's own code
    /// draws L∞ squares per sample and L2 windows per batch; the L2 signs are drawn per sample either way.
    /// </summary>
    public bool DrawPerSample { get; set; }

    /// <summary>Seed of the random squares and signs.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "The Square attack supports the L∞ and L2 balls.");
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        Guard.Positive(MaxQueries, nameof(MaxQueries));
        if (!(PInit > 0 && PInit <= 1)) throw new ArgumentOutOfRangeException(nameof(PInit), PInit, "PInit must lie in (0, 1].");
    }
}
