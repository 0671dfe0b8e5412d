using Microsoft.Extensions.Logging;
using NeuralShield.Attacks;

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

/// <summary>The saturated classifier and its training record.</summary>
public sealed class SaturationResult : HardenedModel
{
    internal SaturationResult(TrainedModel model, IReadOnlyList<double> lambdas)
        : base(model) => LambdaSchedule = lambdas;

    /// <summary>The penalty weight λ used in each epoch that ran (index 0 is epoch 1).</summary>
    public IReadOnlyList<double> LambdaSchedule { get; }
}

/// <summary>
/// The training step of <see cref="Saturation"/>: cross-entropy plus λ_e · (1/B) Σ_b Σ_l Σ_i ψ_c(h_i^l(x_b)), where h^l
/// are the pre-activations of the hidden non-linearities and λ_e ramps linearly over the epochs (see
/// <see cref="SaturationOptions.RampEpochs"/>); the epoch comes from the trainer's <see cref="StepContext"/>.
/// </summary>
public sealed class SaturationStep : LossStep
{
    /// <summary>Creates the step.</summary>
    /// <param name="lambda">The final penalty weight λ (non-negative).</param>
    /// <param name="rampEpochs">Epochs R of the linear ramp (0: none).</param>
    public SaturationStep(double lambda, int rampEpochs)
    {
        Guard.NonNegative(lambda, nameof(lambda));
        Guard.NonNegative(rampEpochs, nameof(rampEpochs));
        Lambda = lambda;
        RampEpochs = rampEpochs;
    }

    /// <summary>The final penalty weight λ.</summary>
    public double Lambda { get; }

    /// <summary>Epochs of the linear ramp.</summary>
    public int RampEpochs { get; }

    /// <summary>The weight applied in epoch <paramref name="epoch"/> (1-based): λ·min(1, (epoch − 1) / R), or λ when R = 0.</summary>
    public double LambdaAt(int epoch)
    {
        Guard.Positive(epoch, nameof(epoch));
        return RampEpochs == 0 ? Lambda : Lambda * Math.Min(1.0, (double)(epoch - 1) / RampEpochs);
    }

    /// <inheritdoc />
    protected override Tensor Loss(Tensor inputs, Tensor labels, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var lambda = LambdaAt(context.Epoch);
        var (logits, penalty) = ForwardWithPenalty(context.Model, inputs);
        var loss = nn.functional.cross_entropy(logits, labels);
        return lambda > 0 ? loss + lambda * penalty.mean() : loss;
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
    private static (Tensor Logits, Tensor Penalty) ForwardWithPenalty(nn.Module<Tensor, Tensor> model, Tensor inputs)
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
/// gradient (<see cref="Attacks.Adaptive.StabilisedGradientClassifier"/> with a logit-margin loss) restores the attacks; see
/// <see cref="NeuralShield.Evaluation.DefenseEvaluation"/>.
/// </para>
/// </summary>
public sealed class Saturation : TrainingDefense<SaturationOptions, SaturationResult>
{
    /// <summary>Creates the defense; the options are validated and copied.</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative or not finite, or a training option is out of range.</exception>
    /// <exception cref="ArgumentException">No recipe was given.</exception>
    public Saturation(SaturationOptions options, ILogger? logger = null) : base(options, logger)
    {
    }

    /// <inheritdoc />
    public override DefenseDescriptor Descriptor => new($"Saturation (λ = {Settings.Lambda})", DefenseKind.Training, Papers.Nayebi2017, [AttackFamily.Evasion]);

    /// <inheritdoc />
    protected override ModelRecipe Recipe => Settings.Recipe;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The recipe's model is not sequential or has no activation layer.</exception>
    protected override SaturationResult Harden(LabeledData train, LabeledData? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var o = Settings;
        using (var probe = o.Recipe.Create()) ActivationLayers.Count(probe, nameof(SaturationOptions.Recipe));
        var step = new SaturationStep(o.Lambda, o.RampEpochs!.Value);
        var model = Train(o.Recipe, step, train, validation, progress, 0, cancellationToken);
        var lambdas = Enumerable.Range(1, model.Training.Epochs.Count).Select(step.LambdaAt).ToArray();
        return Wrap(model, m => new SaturationResult(m, lambdas));
    }
}
