using NeuralShield.Data;
using NeuralShield.Internal;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Defenses.Training;

/// <summary>Settings of <see cref="Saturation"/>.</summary>
public sealed class SaturationOptions
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
    /// Makes a fresh model (inputs → logits) with weights seeded by the argument. It must be an <c>nn.Sequential</c>
    /// whose non-linearities are Sigmoid, ReLU or Tanh layers, as the <see cref="ModelZoo"/> models are
    /// (e.g. <c>seed =&gt; ModelZoo.Mlp(784, [200, 200], 10, Activation.Sigmoid, seed)</c>). Required.
    /// </summary>
    public Func<long, nn.Module<Tensor, Tensor>>? ModelFactory { get; set; }

    /// <summary>How the model is trained.</summary>
    public TrainingOptions Training { get; set; } = new();

    /// <summary>Seed of the weights. Default 0.</summary>
    public long Seed { get; set; }

    /// <summary>Where the model is trained and deployed. Default CPU.</summary>
    public Device? Device { get; set; }

    /// <summary>The input box of the deployed classifier. Default [0, 1].</summary>
    public InputBounds Bounds { get; set; } = InputBounds.Unit;

    internal SaturationOptions Validated()
    {
        Guard.NonNegative(Lambda, nameof(Lambda));
        if (RampEpochs is { } r) Guard.NonNegative(r, nameof(RampEpochs));
        if (ModelFactory is null) throw new ArgumentException("ModelFactory must be set: a function from a seed to a fresh sequential model.", nameof(ModelFactory));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        var copy = (SaturationOptions)MemberwiseClone();
        copy.Training = new Trainer(Training).Options;
        copy.RampEpochs = RampEpochs ?? copy.Training.Epochs / 2;
        copy.Device = Device ?? CPU;
        return copy;
    }
}

/// <summary>The saturated classifier and its training record.</summary>
public sealed class SaturationResult : HardenedModel
{
    internal SaturationResult(TorchClassifier classifier, TrainingResult training, IReadOnlyList<double> lambdas)
        : base(classifier, training) => LambdaSchedule = lambdas;

    /// <summary>The penalty weight λ used in each epoch that ran (index 0 is epoch 1).</summary>
    public IReadOnlyList<double> LambdaSchedule { get; }
}

/// <summary>
/// The objective of <see cref="Saturation"/>: cross-entropy plus λ_e · (1/B) Σ_b Σ_l Σ_i ψ_c(h_i^l(x_b)), where h^l
/// are the pre-activations of the hidden non-linearities and λ_e ramps linearly over the epochs (see
/// <see cref="SaturationOptions.RampEpochs"/>). The epoch is inferred from the number of batches seen, so one
/// instance serves one training run.
/// </summary>
public sealed class SaturationObjective : ITrainingObjective
{
    private readonly int _batchesPerEpoch;
    private long _batches;

    /// <summary>Creates the objective.</summary>
    /// <param name="lambda">The final penalty weight λ (non-negative).</param>
    /// <param name="rampEpochs">Epochs R of the linear ramp (0: none).</param>
    /// <param name="batchesPerEpoch">Mini-batches per epoch, to tell the epoch from the batch count (positive).</param>
    public SaturationObjective(double lambda, int rampEpochs, int batchesPerEpoch)
    {
        Guard.NonNegative(lambda, nameof(lambda));
        Guard.NonNegative(rampEpochs, nameof(rampEpochs));
        Guard.Positive(batchesPerEpoch, nameof(batchesPerEpoch));
        Lambda = lambda;
        RampEpochs = rampEpochs;
        _batchesPerEpoch = batchesPerEpoch;
    }

    /// <summary>The final penalty weight λ.</summary>
    public double Lambda { get; }

    /// <summary>Epochs of the linear ramp.</summary>
    public int RampEpochs { get; }

    /// <summary>The 1-based epoch of the next batch.</summary>
    public int Epoch => (int)(_batches / _batchesPerEpoch) + 1;

    /// <summary>The weight applied in epoch <paramref name="epoch"/> (1-based): λ·min(1, (epoch − 1) / R), or λ when R = 0.</summary>
    public double LambdaAt(int epoch)
    {
        Guard.Positive(epoch, nameof(epoch));
        return RampEpochs == 0 ? Lambda : Lambda * Math.Min(1.0, (double)(epoch - 1) / RampEpochs);
    }

    /// <inheritdoc />
    public Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        var lambda = LambdaAt(Epoch);
        _batches++;
        using var scope = NewDisposeScope();
        var (logits, penalty) = ForwardWithPenalty(model, inputs);
        var loss = nn.functional.cross_entropy(logits, labels);
        if (lambda > 0) loss = loss + lambda * penalty.mean();
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The saturation penalty Σ_l Σ_i ψ_c(h_i^l) of each sample [N] (with autograd when it is on): ψ_c is
    /// σ(z)(1 − σ(z)) for sigmoid units, max(0, z) for ReLU units and 1 − tanh²(z) for tanh units (our extension,
    /// by analogy with the sigmoid), summed over every unit of every activation layer of the sequential model.
    /// </summary>
    /// <exception cref="ArgumentException">The model is not sequential or has no activation layer.</exception>
    public static Tensor Penalty(nn.Module<Tensor, Tensor> model, Tensor inputs)
    {
        ActivationLayers.Count(model, nameof(model));
        Guard.Batch(inputs, nameof(inputs));
        using var scope = NewDisposeScope();
        var (_, penalty) = ForwardWithPenalty(model, inputs);
        return penalty.MoveToOuterDisposeScope();
    }

    /// <summary>Logits and per-sample penalty in one layer-by-layer pass (inside the caller's dispose scope).</summary>
    internal static (Tensor Logits, Tensor Penalty) ForwardWithPenalty(nn.Module<Tensor, Tensor> model, Tensor inputs)
    {
        Tensor? penalty = null;
        var logits = ActivationLayers.Forward(model, inputs, (kind, layer, z) =>
        {
            var h = layer.forward(z);
            var psi = ActivationLayers.Complementary(kind, h).flatten(1).sum(1);
            penalty = penalty is null ? psi : penalty + psi;
            return h;
        });
        return (logits, penalty ?? zeros(inputs.shape[0], device: inputs.device));
    }
}

/// <summary>
/// Saturation training — Nayebi and Ganguli, "Biologically inspired protection of deep networks from adversarial
/// attacks", 2017 (arXiv 1703.09202).
/// <para>
/// Procedure: train with cross-entropy plus the penalty λ·Σ_l Σ_i ψ_c(h_i^l), summed over the units i of the hidden
/// layers l at the input h of each non-linearity, where ψ_c(z) is the distance of z to the non-linearity's
/// saturated region: for ReLU the activation itself, for the sigmoid σ(z)(1 − σ(z)). λ is annealed: it ramps
/// linearly from 0 in the first epoch to λ in epoch R + 1 (<see cref="SaturationOptions.RampEpochs"/>, default half
/// the epochs) and stays there; the paper anneals λ, but this schedule and the default λ are our choices. The penalty is averaged
/// over the mini-batch like the cross-entropy. Hidden pre-activations are read by running the sequential model
/// layer by layer (any Sigmoid/ReLU/Tanh layer of a zoo model).
/// </para>
/// <para>
/// Threat model and caveat: the paper reports robustness to gradient-based attacks. Brendel and Bethge
/// ("Comment on 'Biologically inspired protection of deep networks from adversarial attacks'", 2017,
/// arXiv 1704.01547) showed that this robustness comes from numerical limits: in saturated units and at a
/// saturated softmax the float32 gradient is exactly zero, so gradient attacks have no direction. A stabilised
/// gradient (<see cref="StabilisedGradientClassifier"/> with a logit-margin loss) restores the attacks; see
/// <see cref="DefenseEvaluation"/>.
/// </para>
/// </summary>
public sealed class Saturation : ITrainingDefense<SaturationResult>
{
    private readonly SaturationOptions _options;

    /// <summary>Creates the defense; the options are validated and copied.</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative or not finite, or a training option is out of range.</exception>
    /// <exception cref="ArgumentException">No model factory was given.</exception>
    public Saturation(SaturationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validated();
    }

    /// <summary>The validated settings.</summary>
    public SaturationOptions Options => _options;

    /// <summary>Trains the saturated model on <paramref name="train"/>.</summary>
    public SaturationResult Fit(LabeledData train, CancellationToken cancellationToken = default) => Fit(train, null, null, cancellationToken);

    /// <summary>Trains the saturated model, validating on <paramref name="validation"/> and reporting each epoch when given.</summary>
    /// <exception cref="ArgumentException">The factory's model is not sequential or has no activation layer.</exception>
    public SaturationResult Fit(LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken = default)
    {
        var o = _options;
        DefenseModels.CheckData(train, o.Bounds);
        var model = DefenseModels.Create(o.ModelFactory!, o.Seed, o.Device!, nameof(o.ModelFactory));
        try
        {
            ActivationLayers.Count(model, nameof(o.ModelFactory));
            var batches = (train.Count + o.Training.BatchSize - 1) / o.Training.BatchSize;
            var objective = new SaturationObjective(o.Lambda, o.RampEpochs!.Value, batches);
            var record = new Trainer(o.Training).Fit(model, train, validation, objective, progress, cancellationToken);
            var lambdas = Enumerable.Range(1, record.Epochs.Count).Select(objective.LambdaAt).ToArray();
            return new SaturationResult(DefenseModels.Deploy(model, train, o.Bounds), record, lambdas);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
