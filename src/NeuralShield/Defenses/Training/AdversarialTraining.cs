using Microsoft.Extensions.Logging;
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

/// <summary>The adversarially trained classifier, its training record and the inner attack's success per epoch.</summary>
public sealed class AdversarialTrainingResult : HardenedModel
{
    internal AdversarialTrainingResult(TrainedModel model, IReadOnlyList<double> innerSuccess)
        : base(model) => InnerAttackSuccessRates = innerSuccess;

    /// <summary>The share of training samples on which the inner attack succeeded (against the model of the moment), per epoch.</summary>
    public IReadOnlyList<double> InnerAttackSuccessRates { get; }
}

/// <summary>
/// The training step of <see cref="AdversarialTraining"/>: J̃ = α·J(x, y) + (1 − α)·J(x_adv, y), with J the
/// cross-entropy and x_adv the inner attack's output on the current model (treated as a constant input). The inner
/// attack of training step k is the factory's attack for k (<see cref="StepContext.Step"/>).
/// </summary>
/// <remarks>
/// The inner attack sees the module being trained through a <see cref="TorchClassifier"/> that does not own it.
/// That wrapper puts the module in evaluation mode while the adversarials are crafted; the step then puts it back in
/// training mode for the loss. The zoo models have no dropout or batch normalisation, so both modes compute the same
/// function; for models that have them, the adversarials are crafted against the evaluation-mode network (the usual
/// practice). Any parameter gradients the attack may leave are cleared before the loss.
/// </remarks>
public sealed class AdversarialStep : LossStep
{
    private readonly Func<long, IEvasionAttack<IDifferentiableClassifier>> _attack;
    private readonly int _classCount;
    private readonly InputBounds _bounds;
    private readonly List<(long Succeeded, long Seen)> _perEpoch = [];

    /// <summary>Creates the step.</summary>
    /// <param name="attackFactory">The inner attack for each training step.</param>
    /// <param name="cleanWeight">α in [0, 1].</param>
    /// <param name="classCount">Classes of the model.</param>
    /// <param name="bounds">The input box.</param>
    public AdversarialStep(Func<long, IEvasionAttack<IDifferentiableClassifier>> attackFactory, double cleanWeight, int classCount, InputBounds bounds)
    {
        ArgumentNullException.ThrowIfNull(attackFactory);
        Guard.InRange(cleanWeight, 0, 1, nameof(cleanWeight));
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classifier needs at least 2 classes.");
        _attack = attackFactory;
        CleanWeight = cleanWeight;
        _classCount = classCount;
        _bounds = bounds;
    }

    /// <summary>The weight α of the clean loss.</summary>
    public double CleanWeight { get; }

    /// <summary>The inner attack's success rate in each epoch so far (index 0 is epoch 1).</summary>
    public IReadOnlyList<double> InnerAttackSuccessRates => _perEpoch.Select(e => e.Seen == 0 ? double.NaN : (double)e.Succeeded / e.Seen).ToArray();

    /// <inheritdoc />
    protected override Tensor Loss(Tensor inputs, Tensor labels, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        var epoch = context.Epoch - 1;
        while (_perEpoch.Count <= epoch) _perEpoch.Add((0, 0));
        var attack = _attack(context.Step) ?? throw new InvalidOperationException("The attack factory returned null.");

        Tensor adversarials;
        long? succeeded = null;
        var view = new TorchClassifier(model, _classCount, _bounds); // puts the module in evaluation mode
        try
        {
            if (attack is EvasionAttackBase<IDifferentiableClassifier> library)
            {
                // The library's attacks craft without their own success check: the adversarial logits below give it.
                adversarials = library.Craft(view, inputs, AttackGoal.Untargeted(labels), context.CancellationToken);
            }
            else
            {
                using var result = attack.Run(view, inputs, AttackGoal.Untargeted(labels), context.CancellationToken);
                adversarials = result.Adversarials.detach().clone();
                succeeded = result.Success.sum().item<long>();
            }
        }
        finally
        {
            model.train();
        }
        model.zero_grad();

        var adversarialLogits = model.forward(adversarials);
        succeeded ??= adversarialLogits.detach().argmax(1).ne(labels).sum().item<long>();
        _perEpoch[epoch] = (_perEpoch[epoch].Succeeded + succeeded.Value, _perEpoch[epoch].Seen + inputs.shape[0]);
        var adversarialLoss = nn.functional.cross_entropy(adversarialLogits, labels);
        if (CleanWeight == 0) return adversarialLoss;
        var cleanLoss = nn.functional.cross_entropy(model.forward(inputs), labels);
        return cleanLoss * CleanWeight + adversarialLoss * (1 - CleanWeight);
    }
}

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
public sealed class AdversarialTraining : TrainingDefense<AdversarialTrainingOptions, AdversarialTrainingResult>
{
    /// <summary>Creates the defense; the options are validated and copied.</summary>
    /// <exception cref="ArgumentOutOfRangeException">α lies outside [0, 1], or a training option is out of range.</exception>
    /// <exception cref="ArgumentException">No recipe or attack factory was given.</exception>
    public AdversarialTraining(AdversarialTrainingOptions options, ILogger? logger = null) : base(options, logger)
    {
    }

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
