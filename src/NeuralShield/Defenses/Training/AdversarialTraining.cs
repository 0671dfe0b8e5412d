using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Internal;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Defenses.Training;

/// <summary>Settings of <see cref="AdversarialTraining"/>. <see cref="Fgsm"/> and <see cref="Pgd"/> give the papers' settings.</summary>
public sealed class AdversarialTrainingOptions
{
    /// <summary>
    /// The inner attack for mini-batch number k (0-based, counted over the whole run), run untargeted on the true
    /// labels against the model being trained. A factory so that stochastic attacks can take a fresh seed per batch
    /// (deterministically). Required; any evasion attack of the library works.
    /// </summary>
    public Func<long, IEvasionAttack<IDifferentiableClassifier>>? AttackFactory { get; set; }

    /// <summary>
    /// The weight α of the clean loss: J̃ = α·J(x, y) + (1 − α)·J(x_adv, y). Goodfellow et al.: 0.5; Madry et al.:
    /// 0 (adversarial examples only). Default 0.5.
    /// </summary>
    public double CleanWeight { get; set; } = 0.5;

    /// <summary>Makes a fresh model (inputs → logits) with weights seeded by the argument. Required.</summary>
    public Func<long, nn.Module<Tensor, Tensor>>? ModelFactory { get; set; }

    /// <summary>How the model is trained.</summary>
    public TrainingOptions Training { get; set; } = new();

    /// <summary>Seed of the weights. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>Where the model is trained and deployed. Default CPU.</summary>
    public Device? Device { get; set; }

    /// <summary>The input box (of the data, the attack and the deployed classifier). Default [0, 1].</summary>
    public InputBounds Bounds { get; set; } = InputBounds.Unit;

    /// <summary>
    /// Goodfellow et al.'s setting: FGSM at <paramref name="epsilon"/> (0.25 on MNIST in the paper) mixed with the
    /// clean loss at α = 0.5.
    /// </summary>
    public static AdversarialTrainingOptions Fgsm(Func<long, nn.Module<Tensor, Tensor>> modelFactory, double epsilon = 0.25)
    {
        var attack = new Fgsm(new FgsmOptions { Epsilon = epsilon });
        return new AdversarialTrainingOptions { ModelFactory = modelFactory, AttackFactory = _ => attack, CleanWeight = 0.5 };
    }

    /// <summary>
    /// Madry et al.'s setting: train on PGD adversarials only (α = 0), L∞ ball of radius <paramref name="epsilon"/>
    /// with <paramref name="steps"/> steps of <paramref name="stepSize"/> from a random start, the start seeded
    /// per batch from <paramref name="seed"/>. Paper (MNIST): ε = 0.3, 40 steps of 0.01.
    /// </summary>
    /// <param name="modelFactory">Makes the model to train.</param>
    /// <param name="epsilon">Radius ε of the L∞ ball.</param>
    /// <param name="stepSize">PGD step size at the full ε.</param>
    /// <param name="steps">PGD steps per batch.</param>
    /// <param name="seed">Seed of the random starts (batch k uses a seed derived from it and k).</param>
    /// <param name="warmupBatches">
    /// Optional ε warm-up (not in the paper): batch k (0-based) uses ε·min(1, (k + 1) / warmupBatches), with the step
    /// scaled alike, so that a small network does not stall at chance level on full-ε adversarials from the start.
    /// 0 (default): the full ε from the first batch, as in the paper.
    /// </param>
    public static AdversarialTrainingOptions Pgd(Func<long, nn.Module<Tensor, Tensor>> modelFactory, double epsilon = 0.3, double stepSize = 0.01, int steps = 40,
        long seed = 0, int warmupBatches = 0)
    {
        _ = new Pgd(new PgdOptions { Epsilon = epsilon, StepSize = stepSize, Steps = steps }); // validate now
        Guard.NonNegative(warmupBatches, nameof(warmupBatches));
        return new AdversarialTrainingOptions
        {
            ModelFactory = modelFactory,
            CleanWeight = 0,
            AttackFactory = batch =>
            {
                var scale = warmupBatches == 0 ? 1.0 : Math.Min(1.0, (batch + 1.0) / warmupBatches);
                return new Pgd(new PgdOptions
                {
                    Epsilon = epsilon * scale, StepSize = stepSize * scale, Steps = steps, RandomStart = true,
                    Seed = unchecked(seed * 1_000_003 + batch),
                });
            },
        };
    }

    internal AdversarialTrainingOptions Validated()
    {
        if (AttackFactory is null) throw new ArgumentException("AttackFactory must be set: a function from the batch number to the inner evasion attack.", nameof(AttackFactory));
        if (ModelFactory is null) throw new ArgumentException("ModelFactory must be set: a function from a seed to a fresh model.", nameof(ModelFactory));
        Guard.InRange(CleanWeight, 0, 1, nameof(CleanWeight));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        var copy = (AdversarialTrainingOptions)MemberwiseClone();
        copy.Training = new Trainer(Training).Options;
        copy.Device = Device ?? CPU;
        return copy;
    }
}

/// <summary>The adversarially trained classifier, its training record and the inner attack's success per epoch.</summary>
public sealed class AdversarialTrainingResult : HardenedModel
{
    internal AdversarialTrainingResult(TorchClassifier classifier, TrainingResult training, IReadOnlyList<double> innerSuccess)
        : base(classifier, training) => InnerAttackSuccessRates = innerSuccess;

    /// <summary>The share of training samples on which the inner attack succeeded (against the model of the moment), per epoch.</summary>
    public IReadOnlyList<double> InnerAttackSuccessRates { get; }
}

/// <summary>
/// The objective of <see cref="AdversarialTraining"/>: J̃ = α·J(x, y) + (1 − α)·J(x_adv, y), with J the
/// cross-entropy and x_adv the inner attack's output on the current model (treated as a constant input).
/// </summary>
/// <remarks>
/// The inner attack sees the module being trained through a <see cref="TorchClassifier"/> that does not own it.
/// That wrapper puts the module in evaluation mode while the adversarials are crafted; the objective then puts it
/// back in training mode for the loss. The zoo models have no dropout or batch normalisation, so both modes
/// compute the same function; for models that have them, the adversarials are crafted against the evaluation-mode
/// network (the usual practice). Any parameter gradients the attack may leave are cleared before the loss.
/// </remarks>
public sealed class AdversarialObjective : ITrainingObjective
{
    private readonly Func<long, IEvasionAttack<IDifferentiableClassifier>> _attack;
    private readonly int _classCount;
    private readonly InputBounds _bounds;
    private readonly List<(long Succeeded, long Seen)> _perEpoch = [];
    private readonly int _batchesPerEpoch;
    private long _batches;

    /// <summary>Creates the objective.</summary>
    /// <param name="attackFactory">The inner attack for each mini-batch number.</param>
    /// <param name="cleanWeight">α in [0, 1].</param>
    /// <param name="classCount">Classes of the model.</param>
    /// <param name="bounds">The input box.</param>
    /// <param name="batchesPerEpoch">Mini-batches per epoch (for the per-epoch success record; positive).</param>
    public AdversarialObjective(Func<long, IEvasionAttack<IDifferentiableClassifier>> attackFactory, double cleanWeight, int classCount, InputBounds bounds, int batchesPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(attackFactory);
        Guard.InRange(cleanWeight, 0, 1, nameof(cleanWeight));
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classifier needs at least 2 classes.");
        Guard.Positive(batchesPerEpoch, nameof(batchesPerEpoch));
        _attack = attackFactory;
        CleanWeight = cleanWeight;
        _classCount = classCount;
        _bounds = bounds;
        _batchesPerEpoch = batchesPerEpoch;
    }

    /// <summary>The weight α of the clean loss.</summary>
    public double CleanWeight { get; }

    /// <summary>The inner attack's success rate in each epoch so far.</summary>
    public IReadOnlyList<double> InnerAttackSuccessRates => _perEpoch.Select(e => e.Seen == 0 ? double.NaN : (double)e.Succeeded / e.Seen).ToArray();

    /// <inheritdoc />
    public Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        var batch = _batches++;
        var epoch = (int)(batch / _batchesPerEpoch);
        while (_perEpoch.Count <= epoch) _perEpoch.Add((0, 0));
        var attack = _attack(batch) ?? throw new InvalidOperationException("The attack factory returned null.");

        using var scope = NewDisposeScope();
        Tensor adversarials;
        var view = new TorchClassifier(model, _classCount, _bounds); // puts the module in evaluation mode
        try
        {
            using var result = attack.Run(view, inputs, AttackGoal.Untargeted(labels));
            adversarials = result.Adversarials.detach().clone();
            var succeeded = result.Success.sum().item<long>();
            _perEpoch[epoch] = (_perEpoch[epoch].Succeeded + succeeded, _perEpoch[epoch].Seen + inputs.shape[0]);
        }
        finally
        {
            model.train();
        }
        model.zero_grad();

        var adversarialLoss = nn.functional.cross_entropy(model.forward(adversarials), labels);
        if (CleanWeight == 0) return adversarialLoss.MoveToOuterDisposeScope();
        var cleanLoss = nn.functional.cross_entropy(model.forward(inputs), labels);
        return (cleanLoss * CleanWeight + adversarialLoss * (1 - CleanWeight)).MoveToOuterDisposeScope();
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
/// <see cref="AdversarialObjective"/> for the train/eval mode handling).
/// </summary>
public sealed class AdversarialTraining : ITrainingDefense<AdversarialTrainingResult>
{
    private readonly AdversarialTrainingOptions _options;

    /// <summary>Creates the defense; the options are validated and copied.</summary>
    /// <exception cref="ArgumentOutOfRangeException">α lies outside [0, 1], or a training option is out of range.</exception>
    /// <exception cref="ArgumentException">No model or attack factory was given.</exception>
    public AdversarialTraining(AdversarialTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
    }

    /// <summary>The validated settings.</summary>
    public AdversarialTrainingOptions Options => _options;

    /// <summary>Trains the model adversarially on <paramref name="train"/>.</summary>
    public AdversarialTrainingResult Fit(LabeledData train, CancellationToken cancellationToken = default) => Fit(train, null, null, cancellationToken);

    /// <summary>Trains the model adversarially, validating (clean accuracy) on <paramref name="validation"/> and reporting each epoch when given.</summary>
    public AdversarialTrainingResult Fit(LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken = default)
    {
        var o = _options;
        DefenseModels.CheckData(train, o.Bounds);
        var model = DefenseModels.Create(o.ModelFactory!, o.Seed, o.Device!, nameof(o.ModelFactory));
        try
        {
            var batches = (train.Count + o.Training.BatchSize - 1) / o.Training.BatchSize;
            var objective = new AdversarialObjective(o.AttackFactory!, o.CleanWeight, train.ClassCount, o.Bounds, batches);
            var record = new Trainer(o.Training).Fit(model, train, validation, objective, progress, cancellationToken);
            return new AdversarialTrainingResult(DefenseModels.Deploy(model, train, o.Bounds), record, objective.InnerAttackSuccessRates);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
