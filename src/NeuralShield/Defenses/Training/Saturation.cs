using Microsoft.Extensions.Logging;
using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Training;

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
/// <param name="options">The settings; validated and copied.</param>
/// <param name="logger">Receives the trainers' messages.</param>
/// <exception cref="ArgumentOutOfRangeException">λ is negative or not finite, or a training option is out of range.</exception>
/// <exception cref="ArgumentException">No recipe was given.</exception>
public sealed class Saturation(SaturationOptions options, ILogger? logger = null) : TrainingDefense<SaturationOptions, SaturationResult>(options, logger)
{
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
