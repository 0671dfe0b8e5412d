using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Defenses.Training;

/// <summary>Settings of <see cref="AdversarialTraining"/>. <see cref="Fgsm"/> and <see cref="Pgd"/> give the papers' settings.</summary>
public sealed class AdversarialTrainingOptions : OptionsBase<AdversarialTrainingOptions>
{
    /// <summary>
    /// The inner attack for training step k (0-based, counted over the whole run), run untargeted on the true labels
    /// against the model being trained. A factory so that stochastic attacks can take a fresh seed per step
    /// (deterministically). Required; any evasion attack of the library works.
    /// </summary>
    public required Func<long, IEvasionAttack<IDifferentiableClassifier>> AttackFactory { get; set; }

    /// <summary>
    /// The weight α of the clean loss: J̃ = α·J(x, y) + (1 − α)·J(x_adv, y). Goodfellow et al.: 0.5; Madry et al.:
    /// 0 (adversarial examples only). Default 0.5.
    /// </summary>
    public double CleanWeight { get; set; } = 0.5;

    /// <summary>The model: architecture, training, seed, device and bounds (of the data, the attack and the deployed classifier). Required.</summary>
    public required ModelRecipe Recipe { get; set; }

    /// <summary>
    /// Goodfellow et al.'s setting: FGSM at <paramref name="epsilon"/> (0.25 on MNIST in the paper) mixed with the
    /// clean loss at α = 0.5.
    /// </summary>
    public static AdversarialTrainingOptions Fgsm(ModelRecipe recipe, double epsilon = 0.25)
    {
        var attack = new Fgsm(new FgsmOptions { Epsilon = epsilon });
        return new AdversarialTrainingOptions { Recipe = recipe, AttackFactory = _ => attack, CleanWeight = 0.5 };
    }

    /// <summary>
    /// Madry et al.'s setting: train on PGD adversarials only (α = 0), L∞ ball of radius <paramref name="epsilon"/>
    /// with <paramref name="steps"/> steps of <paramref name="stepSize"/> from a random start, the start seeded
    /// per training step from <paramref name="seed"/>. Paper (MNIST): ε = 0.3, 40 steps of 0.01.
    /// </summary>
    /// <param name="recipe">The model to train.</param>
    /// <param name="epsilon">Radius ε of the L∞ ball.</param>
    /// <param name="stepSize">PGD step size at the full ε.</param>
    /// <param name="steps">PGD steps per batch.</param>
    /// <param name="seed">Seed of the random starts (training step k uses a seed derived from it and k).</param>
    /// <param name="warmupBatches">
    /// Optional ε warm-up (not in the paper): training step k (0-based) uses ε·min(1, (k + 1) / warmupBatches), with the
    /// PGD step scaled alike, so that a small network does not stall at chance level on full-ε adversarials from the
    /// start. 0 (default): the full ε from the first batch, as in the paper.
    /// </param>
    public static AdversarialTrainingOptions Pgd(ModelRecipe recipe, double epsilon = 0.3, double stepSize = 0.01, int steps = 40,
        long seed = 0, int warmupBatches = 0)
    {
        _ = new Pgd(new PgdOptions { Epsilon = epsilon, StepSize = stepSize, Steps = steps }); // validate now
        Guard.NonNegative(warmupBatches, nameof(warmupBatches));
        return new AdversarialTrainingOptions
        {
            Recipe = recipe,
            CleanWeight = 0,
            AttackFactory = step =>
            {
                var scale = warmupBatches == 0 ? 1.0 : Math.Min(1.0, (step + 1.0) / warmupBatches);
                return new Pgd(new PgdOptions
                {
                    Epsilon = epsilon * scale, StepSize = stepSize * scale, Steps = steps, RandomStart = true,
                    Seed = unchecked(seed * 1_000_003 + step),
                });
            },
        };
    }

    /// <inheritdoc />
    public override AdversarialTrainingOptions Copy()
    {
        var copy = (AdversarialTrainingOptions)MemberwiseClone();
        copy.Recipe = Recipe?.Copy()!;
        return copy;
    }

    /// <inheritdoc />
    protected override void Validate()
    {
        if (AttackFactory is null) throw new ArgumentException("AttackFactory must be set: a function from the training step to the inner evasion attack.", nameof(AttackFactory));
        if (Recipe is null) throw new ArgumentException("Recipe must be set: the architecture, training, seed, device and bounds of the model.", nameof(Recipe));
        Guard.InRange(CleanWeight, 0, 1, nameof(CleanWeight));
        Recipe = Recipe.Validated();
    }
}
