namespace NeuralShield.Defenses.Training;

/// <summary>Settings of <see cref="Saturation"/>.</summary>
public sealed class SaturationOptions : OptionsBase<SaturationOptions>
{
    /// <summary>
    /// The final penalty weight λ (non-negative; 0 trains a plain model). The penalty is a sum over all hidden
    /// units, so a useful λ shrinks as the network grows. Default 0.1 (our choice for a 784-200-200-10 sigmoid MLP on
    /// MNIST: about 2 pp of accuracy; the paper's values are not reproduced).
    /// </summary>
    public double Lambda { get; set; } = 0.1;

    /// <summary>
    /// Epochs R of the linear ramp of λ: epoch e (1-based) trains with λ·min(1, (e − 1) / R), so the first epoch is
    /// plain cross-entropy and the full λ applies from epoch R + 1 on. 0: no annealing (λ from the first epoch).
    /// Null (default): half the training epochs, rounded down.
    /// </summary>
    public int? RampEpochs { get; set; }

    /// <summary>
    /// The model. Its architecture must make an <c>nn.Sequential</c> whose non-linearities are Sigmoid, ReLU or Tanh
    /// layers, as the <see cref="ModelZoo"/> models are (e.g. <c>seed =&gt; ModelZoo.Mlp(784, [200, 200], 10, Activation.Sigmoid, seed)</c>). Required.
    /// </summary>
    public required ModelRecipe Recipe { get; set; }

    /// <inheritdoc />
    public override SaturationOptions Copy()
    {
        var copy = (SaturationOptions)MemberwiseClone();
        copy.Recipe = Recipe?.Copy()!;
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.NonNegative(Lambda, nameof(Lambda));
        if (RampEpochs is { } r) Guard.NonNegative(r, nameof(RampEpochs));
        if (Recipe is null) throw new ArgumentException("Recipe must be set: a sequential architecture, training, seed, device and bounds.", nameof(Recipe));
        Recipe = Recipe.Validated();
        RampEpochs ??= Recipe.Training.Epochs / 2;
    }
}
