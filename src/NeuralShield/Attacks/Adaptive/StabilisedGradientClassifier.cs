using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Adaptive;

/// <summary>
/// A view of a sequential classifier with the same outputs but a stabilised backward pass through its saturating
/// non-linearities (sigmoid, tanh): the attacker's tool against saturation training (Brendel and Bethge, "Comment
/// on 'Biologically inspired protection of deep networks from adversarial attacks'", 2017, arXiv 1704.01547), built
/// like BPDA (Athalye, Carlini, Wagner 2018, arXiv 1802.00420): forward as the model, backward through a surrogate.
/// <para>
/// Why: a float32 sigmoid layer back-propagates h(1 − h), which is exactly 0 once σ(z) rounds to 1 (z ≳ 17), and
/// products of tiny derivatives across layers underflow; in a saturated network the input gradient can then be
/// exactly zero although the function is not flat, and gradient attacks have no direction.
/// </para>
/// <para>
/// How: the layer's output is computed as f(z).detach() + (z − z.detach())·d.detach(), which has the value f(z)
/// exactly and the derivative d with respect to z, where d is
/// <list type="bullet">
/// <item><see cref="SurrogateGradient.StableExact"/> (default): f'(z) from its logarithm (sigmoid:
/// log σ'(z) = −|z| − 2·log(1 + e^−|z|); tanh: log 4 − 2|z| − 2·log(1 + e^−2|z|)) minus its maximum over the layer's
/// units for each sample, then exponentiated. Every path from input to output of a sequential model crosses one unit
/// of each activation layer, so this per-sample, per-layer factor scales the whole input gradient of a sample by one
/// positive number: sign steps (FGSM, L∞ PGD), normalised steps (L2 PGD) and JSMA's row-normalised saliency are
/// unchanged wherever float32 resolves the true gradient, and they get the true direction where it does not;</item>
/// <item><see cref="SurrogateGradient.Linear"/>: the slope at 0 (sigmoid 1/4, tanh 1), i.e. the unit treated as linear;</item>
/// <item><see cref="SurrogateGradient.Smoothed"/>: f'(z/s), the derivative of s·f(z/s) for the stretch s.</item>
/// </list>
/// ReLU layers keep their exact derivative (0 or 1; it never vanishes numerically). The softmax at the output can
/// saturate as well: attack the logits (<c>GradientLoss.LogitMargin</c>), not the cross-entropy.
/// </para>
/// <para>
/// Predictions and probabilities are the wrapped classifier's, so the library's success check sees the real model.
/// The view shares the wrapped module and does not own it. Queries: the wrapped classifier's count plus the samples
/// sent through <see cref="Logits"/>.
/// </para>
/// </summary>
public sealed class StabilisedGradientClassifier : DifferentiableClassifierDecorator
{
    private static readonly double LogFour = Math.Log(4);
    private readonly ITorchModel _inner;
    private long _queries;

    /// <summary>
    /// Wraps <paramref name="classifier"/>, which must expose its module (<see cref="ITorchModel"/>, e.g. a
    /// <see cref="TorchClassifier"/>) and whose module must be sequential with Sigmoid/ReLU/Tanh activation layers.
    /// </summary>
    /// <param name="classifier">The (defended) classifier.</param>
    /// <param name="surrogate">The backward pass through sigmoid and tanh layers.</param>
    /// <param name="smoothingScale">The stretch s of <see cref="SurrogateGradient.Smoothed"/> (positive; ignored otherwise).</param>
    /// <exception cref="ArgumentException">The module is not sequential or has no activation layer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="surrogate"/> is unknown or <paramref name="smoothingScale"/> is not a positive finite number.</exception>
    public StabilisedGradientClassifier(IDifferentiableClassifier classifier, SurrogateGradient surrogate = SurrogateGradient.StableExact, double smoothingScale = 10)
        : base(classifier)
    {
        if (classifier is not ITorchModel torch)
            throw new ArgumentException($"classifier must expose its layers (ITorchModel, e.g. a TorchClassifier); got {classifier.GetType().Name}.", nameof(classifier));
        ActivationLayers.Count(torch.Module, nameof(classifier));
        if (!Enum.IsDefined(surrogate)) throw new ArgumentOutOfRangeException(nameof(surrogate), surrogate, "Unknown surrogate gradient.");
        Guard.Positive(smoothingScale, nameof(smoothingScale));
        _inner = torch;
        Surrogate = surrogate;
        SmoothingScale = smoothingScale;
    }

    /// <summary>The backward pass through sigmoid and tanh layers.</summary>
    public SurrogateGradient Surrogate { get; }

    /// <summary>The stretch s of <see cref="SurrogateGradient.Smoothed"/>.</summary>
    public double SmoothingScale { get; }

    /// <inheritdoc />
    public override long QueryCount => Inner.QueryCount + Interlocked.Read(ref _queries);

    /// <inheritdoc />
    public override Tensor Logits(Tensor inputs)
    {
        Guard.Batch(inputs, nameof(inputs));
        if (_inner.InputShape is { } shape && !inputs.shape.Skip(1).SequenceEqual(shape))
            throw new ArgumentException($"inputs must have shape [N, {string.Join(", ", shape)}]; got [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        Interlocked.Add(ref _queries, inputs.shape[0]);
        using var scope = NewDisposeScope();
        var x = inputs.device == Device ? inputs : inputs.to(Device);
        if (x.dtype != ScalarType.Float32) x = x.to_type(ScalarType.Float32);
        var logits = ActivationLayers.Forward(_inner.Module, x, Backward);
        return logits.MoveToOuterDisposeScope();
    }

    private Tensor Backward(ActivationKind kind, nn.Module<Tensor, Tensor> layer, Tensor z)
    {
        var h = layer.forward(z);
        if (kind == ActivationKind.ReLU) return h;
        Tensor derivative;
        using (no_grad())
        {
            derivative = Surrogate switch
            {
                SurrogateGradient.StableExact => StableDerivative(kind, z),
                SurrogateGradient.Linear => full_like(z, kind == ActivationKind.Sigmoid ? 0.25 : 1.0),
                SurrogateGradient.Smoothed => SmoothedDerivative(kind, z / SmoothingScale),
                _ => throw new InvalidOperationException("Unknown surrogate gradient."),
            };
        }
        return h.detach() + (z - z.detach()) * derivative;
    }

    /// <summary>f'(z) divided by its maximum over the units of each sample, computed from log f'(z).</summary>
    private static Tensor StableDerivative(ActivationKind kind, Tensor z)
    {
        var a = z.abs();
        var log = kind == ActivationKind.Sigmoid
            ? -a - 2 * nn.functional.softplus(-a)
            : LogFour - 2 * a - 2 * nn.functional.softplus(-2 * a);
        var perSample = log.flatten(1).amax([1]);
        return (log - PerSample.Broadcast(perSample, log)).exp();
    }

    private static Tensor SmoothedDerivative(ActivationKind kind, Tensor scaled)
    {
        if (kind == ActivationKind.Sigmoid)
        {
            var s = scaled.sigmoid();
            return s * (1 - s);
        }
        var t = scaled.tanh();
        return 1 - t * t;
    }
}
