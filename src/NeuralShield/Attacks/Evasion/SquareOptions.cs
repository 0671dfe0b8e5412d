using NeuralShield.Internal;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="SquareAttack"/> (L∞). The defaults are AutoAttack's (ε = 0.3 for MNIST).</summary>
public sealed class SquareOptions : OptionsBase<SquareOptions>
{
    /// <summary>Radius ε of the L∞ ball.</summary>
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

    /// <summary>Seed of the random squares and signs.</summary>
    public long Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        Guard.Positive(MaxQueries, nameof(MaxQueries));
        if (!(PInit > 0 && PInit <= 1)) throw new ArgumentOutOfRangeException(nameof(PInit), PInit, "PInit must lie in (0, 1].");
    }
}
