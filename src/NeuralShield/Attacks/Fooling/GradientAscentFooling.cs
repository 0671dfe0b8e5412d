using NeuralShield.Attacks.Core;
using NeuralShield.Attacks.Evasion;

namespace NeuralShield.Attacks.Fooling;

/// <summary>
/// Fooling inputs by gradient ascent — Nguyen, Yosinski, Clune, "Deep Neural Networks are Easily Fooled: High
/// Confidence Predictions for Unrecognizable Images", CVPR 2015 (arXiv 1412.1897), Section 3.6, following
/// Simonyan, Vedaldi, Zisserman (arXiv 1312.6034).
/// Threat model: white box (gradients of the logits with respect to the input); no data is needed.
/// From uniform noise (or a blank or grey image), each sample climbs the target class's log-probability (or logit):
/// x ← clip(x + α·step(∇ₓ objective)), one sample per requested target, all in one batch; a sample freezes once
/// its target probability reaches the threshold. Paper: the target's softmax output, from noise, no step size
/// given for MNIST; it reports ≥ 99.99% confidence for every MNIST class. Defaults here: sign steps α = 0.01,
/// at most 1000 steps, threshold 0.9999.
/// </summary>
public sealed class GradientAscentFooling : FoolingAttackBase<IDifferentiableClassifier>
{
    private readonly GradientAscentFoolingOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public GradientAscentFooling(GradientAscentFoolingOptions? options = null) => _options = (options ?? new GradientAscentFoolingOptions()).Validated();

    /// <summary>A copy of the validated settings; changing it does not change the attack.</summary>
    public GradientAscentFoolingOptions Options => _options.Copy();

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("Gradient-ascent fooling", AttackFamily.Fooling, ModelAccess.WhiteBox, Papers.Nguyen2015);

    /// <inheritdoc />
    public override double ConfidenceThreshold => _options.ConfidenceThreshold;

    /// <inheritdoc />
    protected override (Tensor Images, int Iterations) Search(IDifferentiableClassifier model, Tensor targets, long[] batchShape, SearchContext context)
    {
        var o = _options;
        var bounds = model.Bounds;
        var x = StartImages(o.Start, bounds, batchShape, o.Seed, model.Device);
        var active = ones(batchShape[0], dtype: ScalarType.Bool, device: model.Device);
        var threshold = (float)o.ConfidenceThreshold;
        var steps = 0;
        for (; steps < o.Steps; steps++)
        {
            context.Iteration(steps, o.Steps);
            using var iteration = NewDisposeScope();
            var (gradient, confidence) = ObjectiveGradient(model, x, targets, o.Objective);
            active.logical_and_(confidence.lt(threshold));
            if (!active.any().item<bool>()) break;
            var direction = o.Step switch
            {
                AscentStep.Sign => gradient.sign(),
                AscentStep.NormalisedGradient => PerSample.L2Normalise(gradient),
                _ => gradient,
            };
            var next = bounds.Clamp(x + o.StepSize * direction);
            next = PerSample.Where(active, next, x);
            x.Dispose();
            x = next.MoveToOuterDisposeScope();
        }
        return (x, steps);
    }

    /// <summary>A start batch of <paramref name="batchShape"/> on <paramref name="device"/>; noise is drawn on the CPU from <paramref name="seed"/>.</summary>
    internal static Tensor StartImages(FoolingStart start, InputBounds bounds, long[] batchShape, long seed, Device device)
    {
        switch (start)
        {
            case FoolingStart.UniformNoise:
                using (var generator = new Generator((ulong)seed))
                using (var unit = rand(batchShape, generator: generator))
                    return (unit * bounds.Range + bounds.Lower).to(device);
            case FoolingStart.Blank:
                return full(batchShape, bounds.Lower, device: device);
            case FoolingStart.Gray:
                return full(batchShape, bounds.Lower + bounds.Range / 2, device: device);
            default:
                throw new ArgumentOutOfRangeException(nameof(start), start, "Unknown start.");
        }
    }

    /// <summary>∇ₓ of the summed objective at <paramref name="x"/>, and each sample's target probability there.</summary>
    private static (Tensor Gradient, Tensor Confidence) ObjectiveGradient(IDifferentiableClassifier model, Tensor x, Tensor targets, FoolingObjective objective)
    {
        var index = targets.unsqueeze(1);
        AttackObjective climbed = objective == FoolingObjective.Logit
            ? logits => logits.gather(1, index).sum()
            : logits => logits.log_softmax(1).gather(1, index).sum();
        var g = InputGradient.Of(model, x, climbed);
        var confidence = g.Logits.log_softmax(1).gather(1, index).squeeze(1).exp();
        return (g.Gradient, confidence);
    }
}
