using NeuralShield.Internal;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Defenses.Training;

/// <summary>
/// A view of a sequential classifier with the same outputs but a stabilised backward pass through its
/// saturating non-linearities: the attacker's tool against saturation training (Brendel and Bethge 2017,
/// arXiv 1704.01547), in the manner of BPDA (Athalye, Carlini, Wagner 2018, arXiv 1802.00420).
/// <para>
/// Forward: exactly the wrapped model's logits (same weights, same layers). Backward: at every sigmoid layer
/// h = σ(z) the derivative σ'(z) = h(1 − h), which is exactly 0 in float32 once σ(z) rounds to 1 (z ≳ 17) and
/// vanishes in practice far below, is replaced by the derivative of a smooth surrogate g:
/// <list type="bullet">
/// <item><see cref="SmoothingScale"/> null (default): g(z) = z/4, the sigmoid linearised at 0 (σ'(0) = 1/4), so
/// the unit passes gradients as if it were linear (straight-through);</item>
/// <item><see cref="SmoothingScale"/> s: g(z) = s·σ(z/s), whose derivative σ'(z/s) is the sigmoid's stretched by s
/// (it still vanishes, but only for |z| ≫ s).</item>
/// </list>
/// Tanh layers are treated alike (g(z) = z, or s·tanh(z/s)). ReLU layers keep their exact derivative (it is 0 or
/// 1, never numerically vanishing). The output is computed as f(z).detach() + (g(z) − g(z).detach()), which has the
/// value f(z) exactly and the gradient g'(z). The softmax at the output can saturate as well: attack the logits
/// (e.g. <c>GradientLoss.LogitMargin</c>) rather than the cross-entropy.
/// </para>
/// <para>
/// Predictions and probabilities are the wrapped classifier's, so the library's success check sees the real
/// model. The view shares the wrapped module and does not own it. Queries: the wrapped classifier's count plus
/// the samples sent through <see cref="Logits"/>.
/// </para>
/// </summary>
public sealed class StabilisedGradientClassifier : IDifferentiableClassifier
{
    private readonly TorchClassifier _inner;
    private long _queries;

    /// <summary>Wraps <paramref name="classifier"/>, whose module must be sequential with Sigmoid/ReLU/Tanh activation layers.</summary>
    /// <param name="classifier">The (defended) classifier.</param>
    /// <param name="smoothingScale">Null for the linearised surrogate; else the stretch s of the smoothed surrogate (positive).</param>
    /// <exception cref="ArgumentException">The module is not sequential or has no activation layer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="smoothingScale"/> is not a positive finite number.</exception>
    public StabilisedGradientClassifier(TorchClassifier classifier, double? smoothingScale = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ActivationLayers.Count(classifier.Module, nameof(classifier));
        if (smoothingScale is { } s) Guard.Positive(s, nameof(smoothingScale));
        _inner = classifier;
        SmoothingScale = smoothingScale;
    }

    /// <summary>The stretch s of the smoothed surrogate, or null for the linearised one.</summary>
    public double? SmoothingScale { get; }

    /// <inheritdoc />
    public int ClassCount => _inner.ClassCount;

    /// <inheritdoc />
    public InputBounds Bounds => _inner.Bounds;

    /// <inheritdoc />
    public Device Device => _inner.Device;

    /// <inheritdoc />
    public long QueryCount => _inner.QueryCount + Interlocked.Read(ref _queries);

    /// <inheritdoc />
    public Tensor PredictProbabilities(Tensor inputs) => _inner.PredictProbabilities(inputs);

    /// <inheritdoc />
    public Tensor Logits(Tensor inputs)
    {
        Guard.Batch(inputs, nameof(inputs));
        if (_inner.InputShape is { } shape && !inputs.shape.Skip(1).SequenceEqual(shape))
            throw new ArgumentException($"inputs must have shape [N, {string.Join(", ", shape)}]; got [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        Interlocked.Add(ref _queries, inputs.shape[0]);
        using var scope = NewDisposeScope();
        var x = inputs.device == Device ? inputs : inputs.to(Device);
        if (x.dtype != ScalarType.Float32) x = x.to_type(ScalarType.Float32);
        var logits = ActivationLayers.Forward(_inner.Module, x, Surrogate);
        return logits.MoveToOuterDisposeScope();
    }

    private Tensor Surrogate(ActivationKind kind, nn.Module<Tensor, Tensor> layer, Tensor z)
    {
        var h = layer.forward(z);
        if (kind == ActivationKind.ReLU) return h;
        var g = (kind, SmoothingScale) switch
        {
            (ActivationKind.Sigmoid, null) => z * 0.25,
            (ActivationKind.Sigmoid, { } s) => (z / s).sigmoid() * s,
            (ActivationKind.Tanh, null) => z * 1.0,
            (ActivationKind.Tanh, { } s) => (z / s).tanh() * s,
            _ => throw new InvalidOperationException("Unknown activation."),
        };
        return h.detach() + (g - g.detach());
    }
}
