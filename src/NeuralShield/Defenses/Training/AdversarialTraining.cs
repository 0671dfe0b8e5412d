using Microsoft.Extensions.Logging;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Defenses.Training;

/// <summary>
/// Adversarial training with any evasion attack of the library as the inner attack.
/// <list type="bullet">
/// <item>Goodfellow, Shlens, Szegedy, "Explaining and Harnessing Adversarial Examples", ICLR 2015
/// (arXiv 1412.6572), §6: J̃(θ, x, y) = α·J(θ, x, y) + (1 − α)·J(θ, x + ε·sign(∇ₓJ(θ, x, y)), y) with α = 0.5,
/// ε = 0.25 on MNIST; the maxout network's error on FGSM adversarials fell from 89.4% to 17.9%.</item>
/// <item>Madry, Makelov, Schmidt, Tsipras, Vladu, "Towards Deep Learning Models Resistant to Adversarial
/// Attacks", ICLR 2018 (arXiv 1706.06083): min_θ E max_{‖δ‖∞ ≤ ε} J(θ, x + δ, y), the inner maximisation by PGD
/// (α = 0 here: adversarials only); MNIST: ε = 0.3, 40 steps of 0.01 from a random start; ≈ 89% accuracy against
/// the strongest PGD on a large CNN.</item>
/// </list>
/// Threat model of the result: robustness against L∞ (or whichever ball the inner attack uses) perturbations up to
/// the training ε. Each mini-batch runs the inner attack against the current weights (see
/// <see cref="AdversarialStep"/> for the train/eval mode handling).
/// </summary>
/// <param name="options">The settings; validated and copied.</param>
/// <param name="logger">Receives the trainers' messages.</param>
/// <exception cref="ArgumentOutOfRangeException">α lies outside [0, 1], or a training option is out of range.</exception>
/// <exception cref="ArgumentException">No recipe or attack factory was given.</exception>
public sealed class AdversarialTraining(AdversarialTrainingOptions options, ILogger? logger = null) : TrainingDefense<AdversarialTrainingOptions, AdversarialTrainingResult>(options, logger)
{
    /// <inheritdoc />
    public override DefenseDescriptor Descriptor => new("Adversarial training", DefenseKind.Training, Settings.CleanWeight > 0 ? Papers.Goodfellow2015 : Papers.Madry2018, [AttackFamily.Evasion]);

    /// <inheritdoc />
    protected override ModelRecipe Recipe => Settings.Recipe;

    /// <inheritdoc />
    protected override AdversarialTrainingResult Harden(LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var o = Settings;
        var step = new AdversarialStep(o.AttackFactory, o.CleanWeight, train.ClassCount, o.Recipe.Bounds);
        var model = Train(o.Recipe, step, train, validation, progress, 0, cancellationToken);
        return Wrap(model, m => new AdversarialTrainingResult(m, step.InnerAttackSuccessRates));
    }
}
