namespace NeuralShield.Defenses.Data;

/// <summary>Settings of <see cref="SpectralSignatures"/>.</summary>
public sealed class SpectralSignatureOptions : OptionsBase<SpectralSignatureOptions>
{
    /// <summary>ε, the defender's upper bound on the share of a class's points that are poisoned; the top 1.5·ε of each class's scores are removed (Tran et al.). Default 0.05.</summary>
    public double Epsilon { get; set; } = 0.05;

    /// <summary>The multiple of ε removed. Tran et al.: 1.5.</summary>
    public double RemovalFactor { get; set; } = 1.5;

    /// <summary>Which layer is read: 1 is the penultimate (the input of the logits layer). Default 1.</summary>
    public int LayerFromEnd { get; set; } = 1;

    /// <inheritdoc />
    protected override void Validate()
    {
        if (!(Epsilon > 0 && Epsilon < 1)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must lie in (0, 1).");
        Guard.Positive(RemovalFactor, nameof(RemovalFactor));
        Guard.Positive(LayerFromEnd, nameof(LayerFromEnd));
    }
}
