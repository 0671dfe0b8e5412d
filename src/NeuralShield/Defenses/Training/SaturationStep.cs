using Microsoft.Extensions.Logging;

namespace NeuralShield.Defenses.Training;

/// <summary>
/// The training step of <see cref="Saturation"/>: cross-entropy plus λ_e · (1/B) Σ_b Σ_l Σ_i ψ_c(h_i^l(x_b)), where h^l
/// are the pre-activations of the hidden non-linearities and λ_e ramps linearly over the epochs (see
/// <see cref="SaturationOptions.RampEpochs"/>); the epoch comes from the trainer's <see cref="StepContext"/>.
/// </summary>
/// <param name="lambda">The final penalty weight λ (non-negative).</param>
/// <param name="rampEpochs">Epochs R of the linear ramp (0: none).</param>
public sealed class SaturationStep(double lambda, int rampEpochs) : LossStep
{
    /// <summary>The final penalty weight λ.</summary>
    public double Lambda { get; } = Guard.NonNegative(lambda, nameof(lambda));

    /// <summary>Epochs of the linear ramp.</summary>
    public int RampEpochs { get; } = Guard.NonNegative(rampEpochs, nameof(rampEpochs));

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
