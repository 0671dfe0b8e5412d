
namespace NeuralShield.Defenses.Data;

/// <summary>Settings of <see cref="Spectre"/>.</summary>
public sealed class SpectreOptions : OptionsBase<SpectreOptions>
{
    /// <summary>
    /// ε, the defender's upper bound on the share of an inspected class's points that are poisoned: ε·n (rounded) is the
    /// poison count the robust estimate allows for, and the 1.5·ε·n highest QUE scores of the class are removed (Hayase et
    /// al., as Tran et al.). Default 0.05.
    /// </summary>
    public double Epsilon { get; set; } = 0.05;

    /// <summary>The multiple of ε·n removed. Hayase et al.: 1.5.</summary>
    public double RemovalFactor { get; set; } = 1.5;

    /// <summary>The most points the robust covariance filter may discard, as a multiple of ε·n. The authors' code: 2.</summary>
    public double FilterLimitFactor { get; set; } = 2;

    /// <summary>α of the QUE score (the temperature of its matrix exponential). Hayase et al.: 4.</summary>
    public double Alpha { get; set; } = 4;

    /// <summary>τ, the failure probability of the robust filter's tail bound. The authors' code: 0.1.</summary>
    public double Tau { get; set; } = 0.1;

    /// <summary>
    /// The number k of principal components the representations are reduced to. Null (default): chosen per class as the
    /// authors do, among k = 1, 4, 9, …, 100 (the squares up to <see cref="MaxDimensions"/> and the class's rank), the k
    /// whose removal leaves the largest QUE-weighted spectral excess.
    /// </summary>
    public int? Dimensions { get; set; }

    /// <summary>The largest k considered, and the dimension of the space the choice of k is judged in. The authors: 100. Default 100.</summary>
    public int MaxDimensions { get; set; } = 100;

    /// <summary>
    /// The one class to inspect (Hayase et al.'s experiments run the defense on the attack's target label), or null
    /// (default) for every class, for a defender who does not know the target.
    /// </summary>
    public int? Class { get; set; }

    /// <summary>Which layer is read: 1 is the penultimate (the input of the logits layer). Default 1.</summary>
    public int LayerFromEnd { get; set; } = 1;

    /// <inheritdoc />
    protected override void Validate()
    {
        if (!(Epsilon > 0 && Epsilon < 1)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must lie in (0, 1).");
        Guard.Positive(RemovalFactor, nameof(RemovalFactor));
        Guard.Positive(FilterLimitFactor, nameof(FilterLimitFactor));
        Guard.Positive(Alpha, nameof(Alpha));
        if (!(Tau > 0 && Tau < 1)) throw new ArgumentOutOfRangeException(nameof(Tau), Tau, "Tau must lie in (0, 1).");
        if (Dimensions is { } k) Guard.Positive(k, nameof(Dimensions));
        Guard.Positive(MaxDimensions, nameof(MaxDimensions));
        if (Class is { } c) Guard.NonNegative(c, nameof(Class));
        Guard.Positive(LayerFromEnd, nameof(LayerFromEnd));
    }
}
