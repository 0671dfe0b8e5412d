using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Carlini–Wagner L2 — Carlini and Wagner, "Towards Evaluating the Robustness of Neural Networks", IEEE S&amp;P 2017
/// (arXiv 1608.04644), §V-A. Threat model: white box (gradients of the logits), no perturbation budget: the attack
/// minimises ‖δ‖₂. Change of variables x' = m·tanh(w) + b (m, b: half the width and the centre of the model's box), so
/// that every iterate lies in the box; minimise ‖x' − x‖₂² + c·f(x') with f = max(Z_y − max_{j≠y} Z_j + κ, 0)
/// (untargeted) or max(max_{j≠t} Z_j − Z_t + κ, 0) (targeted) by Adam from w = atanh(x) (δ = 0); a binary search over c
/// per sample (start c₀, ×10 until a success, then bisection). The smallest-L2 point that met the goal with margin κ
/// in any step is returned; a sample never fooled keeps its input. Batched: each Adam iteration is one forward and one
/// backward pass on the whole batch (the gradient of ‖δ‖₂² is exact in closed form) and reads nothing back to the host;
/// only the early-abort checks, every tenth of the iterations, read one flag.
/// </summary>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
public sealed class CarliniWagnerL2(CarliniWagnerOptions? options = null) : EvasionAttack<IDifferentiableClassifier, CarliniWagnerOptions>(options ?? new CarliniWagnerOptions())
{
    private const double Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-8;
    // atanh(±1) is infinite: the inputs are pulled this little way inside the box first, as in the authors' code.
    private const double Inside = 0.999999;
    private const double NoUpperBound = 1e10;

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("C&W L2", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.Carlini2017, GoalSupport.Both);

    /// <summary>Per sample [N]: how far the goal is met, max_{j≠y} Z_j − Z_y (untargeted) or Z_t − max_{j≠t} Z_j (targeted).</summary>
    private static Tensor Gain(Tensor logits, Tensor labels, bool targeted)
    {
        var margins = Objectives.Margins(logits, labels);
        return targeted ? -margins : margins;
    }

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var n = inputs.shape[0];
        var device = inputs.device;
        var bounds = model.Bounds;
        var half = (bounds.Upper - (double)bounds.Lower) / 2;
        var centre = (bounds.Upper + (double)bounds.Lower) / 2;
        var labels = goal.Labels;
        var targeted = goal.IsTargeted;
        var kappa = Settings.Confidence;
        var lr = Settings.LearningRate;
        var check = Math.Max(Settings.MaxIterations / 10, 1);

        using var held = new HeldTensors();
        Tensor w0, lower, upper, c, bestL2, best;
        using (NewDisposeScope())
        {
            w0 = (((inputs - centre) / half).clamp(-1, 1) * Inside).atanh();
            lower = zeros(n, dtype: ScalarType.Float64, device: device);
            upper = full(n, NoUpperBound, dtype: ScalarType.Float64, device: device);
            c = full(n, Settings.InitialConst, dtype: ScalarType.Float64, device: device);
            bestL2 = full(n, double.PositiveInfinity, dtype: ScalarType.Float32, device: device);
            best = inputs.clone();
            held.Keep(w0, lower, upper, c, bestL2, best);
        }
        for (var step = 0; step < Settings.BinarySearchSteps; step++)
        {
            Tensor delta, m, v, active, stepSuccess, previous;
            using (NewDisposeScope())
            {
                delta = zeros_like(w0);
                m = zeros_like(w0);
                v = zeros_like(w0);
                active = ones(n, dtype: ScalarType.Bool, device: device);
                stepSuccess = zeros(n, dtype: ScalarType.Bool, device: device);
                previous = full(n, double.PositiveInfinity, dtype: ScalarType.Float32, device: device);
                held.Keep(delta, m, v, active, stepSuccess, previous);
            }
            var weight = c.to_type(ScalarType.Float32);
            held.Keep(weight);
            for (var i = 0; i < Settings.MaxIterations; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var iteration = NewDisposeScope();
                var tanhW = (w0 + delta).tanh();
                var x = tanhW * half + centre;
                var g = InputGradient.Of(model, x, logits => (weight * (kappa - Gain(logits, labels, targeted)).clamp_min(0)).sum());
                var diff = x - inputs;
                var l2 = diff.square().flatten(1).sum(1);
                var gain = Gain(g.Logits, labels, targeted);
                // The authors' check: the goal met with margin κ (for κ = 0: the top class is the target, or not the true class).
                var success = gain.gt(kappa).logical_and(active);
                var improved = success.logical_and(l2.lt(bestL2));
                bestL2 = where(improved, l2, bestL2);
                best = PerSample.Where(improved, x, best);
                stepSuccess = stepSuccess.logical_or(success);
                if (Settings.AbortEarly && i % check == 0)
                {
                    var loss = l2 + weight * (kappa - gain).clamp_min(0);
                    active = active.logical_and(loss.le(previous * 0.9999f));
                    previous = loss;
                    held.Keep(active, previous);
                    if (!active.any().item<bool>())
                    {
                        held.Keep(bestL2, best, stepSuccess);
                        held.ReleaseAllBut([w0, lower, upper, c, weight, bestL2, best, delta, m, v, active, stepSuccess, previous]);
                        break;
                    }
                }
                // ∇_w of ‖x − x₀‖² + c·f through x = half·tanh(w) + centre; Adam (bias-corrected) on the samples still running.
                var gradient = (2 * diff + g.Gradients[0]) * (half * (1 - tanhW.square()));
                m = m * Beta1 + gradient * (1 - Beta1);
                v = v * Beta2 + gradient.square() * (1 - Beta2);
                var t = i + 1;
                var update = (m / (1 - Math.Pow(Beta1, t))) / ((v / (1 - Math.Pow(Beta2, t))).sqrt() + AdamEpsilon) * lr;
                delta = delta - PerSample.Broadcast(active.to_type(update.dtype), update) * update;
                held.Keep(delta, m, v, bestL2, best, stepSuccess);
                held.ReleaseAllBut([w0, lower, upper, c, weight, bestL2, best, delta, m, v, active, stepSuccess, previous]);
            }
            using (NewDisposeScope())
            {
                // The binary search: a success bounds c from above, a failure from below; ×10 until the first success.
                upper = where(stepSuccess, minimum(upper, c), upper);
                lower = where(stepSuccess, lower, maximum(lower, c));
                c = where(upper.lt(NoUpperBound / 10), (lower + upper) / 2, c * 10);
                held.Keep(upper, lower, c);
                held.ReleaseAllBut([w0, lower, upper, c, bestL2, best]);
            }
        }
        return best.clone();
    }
}
