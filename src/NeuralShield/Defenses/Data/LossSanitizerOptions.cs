namespace NeuralShield.Defenses.Data;

/// <summary>Settings of <see cref="LossOutlierSanitizer"/>.</summary>
public sealed class LossSanitizerOptions : OptionsBase<LossSanitizerOptions>
{
    /// <summary>Share of the set to remove: the points of highest loss (the defender's bound on the poisoned share). Default 0.1.</summary>
    public double RemoveFraction { get; set; } = 0.1;

    /// <inheritdoc />
    protected override void Validate()
    {
        if (!(RemoveFraction >= 0 && RemoveFraction < 1)) throw new ArgumentOutOfRangeException(nameof(RemoveFraction), RemoveFraction, "RemoveFraction must lie in [0, 1).");
    }
}
