namespace NeuralShield.Defenses.Data;

/// <summary>Settings of <see cref="KnnLabelSanitizer"/>.</summary>
public sealed class KnnSanitizerOptions : OptionsBase<KnnSanitizerOptions>
{
    /// <summary>Neighbours consulted. Paudice et al. vary k; default 10.</summary>
    public int K { get; set; } = 10;

    /// <summary>Agreement threshold η: a point is given the most common label of its neighbours when at least this share of them carry it. Default 0.5.</summary>
    public double Eta { get; set; } = 0.5;

    /// <summary>
    /// What happens to a point whose label disagrees with a confident neighbourhood (a majority of at least <see cref="Eta"/>):
    /// relabelled (<see cref="SanitizeAction.Relabel"/>, the default and the paper) or removed; with
    /// <see cref="SanitizeAction.RelabelOrRemove"/> points whose own label is outvoted without such a majority are removed too.
    /// </summary>
    public SanitizeAction Action { get; set; } = SanitizeAction.Relabel;

    /// <summary>
    /// With <see cref="SanitizeAction.RelabelOrRemove"/>: an outvoted point is removed only when at most this share of its
    /// k neighbours carry its own label; points with more support keep their label. A flipped label is a random draw, so
    /// its neighbours carry it only where they are flipped to it too (a share near noise rate / (classes − 1)), while an
    /// atypical clean point usually keeps some support from its own class. Default 1: every outvoted point is removed.
    /// </summary>
    public double MaxOwnShareToRemove { get; set; } = 1;

    /// <summary>Query rows per distance block (bounds memory: block × N distances). Default 512.</summary>
    public int BlockSize { get; set; } = 512;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Positive(K, nameof(K));
        if (!(Eta > 0 && Eta <= 1)) throw new ArgumentOutOfRangeException(nameof(Eta), Eta, "Eta must lie in (0, 1].");
        Guard.Defined(Action, nameof(Action));
        if (!(MaxOwnShareToRemove >= 0 && MaxOwnShareToRemove <= 1)) throw new ArgumentOutOfRangeException(nameof(MaxOwnShareToRemove), MaxOwnShareToRemove, "MaxOwnShareToRemove must lie in [0, 1].");
        if (MaxOwnShareToRemove < 1 && Action != SanitizeAction.RelabelOrRemove)
            throw new ArgumentException($"MaxOwnShareToRemove applies only to the RelabelOrRemove action; got {MaxOwnShareToRemove} with {Action}.", nameof(MaxOwnShareToRemove));
        Guard.Positive(BlockSize, nameof(BlockSize));
    }
}
