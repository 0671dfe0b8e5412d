using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// The DeepFool search (Moosavi-Dezfooli et al. 2016, Algorithm 2) as a building block: the minimal perturbation
/// that moves each input off its label, batched over the inputs. <see cref="DeepFool"/> runs it as an evasion
/// attack; <see cref="UniversalPerturbation"/> runs it on x + v.
/// <para>
/// At the current point x_i, every candidate class k other than the label y is linearised:
/// w'_k = ∇(f_k − f_y)(x_i), f'_k = (f_k − f_y)(x_i); the closest linearised boundary is
/// l = argmin_k |f'_k| / ‖w'_k‖_q, and the step toward it is r_i = (|f'_l| / ‖w'_l‖_q + 10⁻⁴)·d(w'_l), with
/// d(w) = w / ‖w‖₂ for p = 2 and d(w) = sign(w) for p = ∞ (q = p / (p − 1): 2 and 1). Without the 10⁻⁴ floor
/// (<see cref="StepFloor"/>, from the reference DeepFool code) this is the paper's
/// r_i = |f'_l| / ‖w'_l‖_q^q · |w'_l|^{q−1} ⊙ sign(w'_l). The next point is x_{i+1} = x + (1 + η)·Σ r_i; a sample stops
/// as soon as k̂(x_{i+1}) ≠ y, or after <see cref="DeepFoolOptions.MaxIterations"/> steps.
/// </para>
/// <para>
/// Each iteration makes ONE forward pass at the points still running and one gradient per candidate class other
/// than the label (<see cref="InputGradient"/>, k − 1 objectives f_k − f_y, each summed over the samples), then one
/// forward pass for the last step's label check. The candidate classes are the label and the classes with the
/// highest logits at the start (top <see cref="DeepFoolOptions.CandidateClasses"/>), fixed for the run.
/// </para>
/// </summary>
public static class DeepFoolSearch
{
    /// <summary>The lengthening of every step, in the norm p (reference DeepFool code), so that a step is never zero.</summary>
    public const double StepFloor = 1e-4;

    /// <summary>
    /// Runs DeepFool from <paramref name="x"/> [N, ...] away from <paramref name="labels"/> [N] (class indices).
    /// A sample whose prediction at x already differs from its label is not attacked: zero perturbation, zero
    /// steps, <see cref="DeepFoolOutcome.Fooled"/> true. With <paramref name="clampToBounds"/> every evaluated point
    /// x + (1 + η)·Σ r_i is clamped into the model's bounds (and <paramref name="x"/> must lie inside them); without
    /// it, the points are evaluated as they are, as in the paper and the universal-perturbation reference code, and
    /// <paramref name="x"/> may lie outside the bounds. The tensors returned are on the model's device.
    /// </summary>
    /// <param name="model">The white-box model.</param>
    /// <param name="x">The starting points [N, ...].</param>
    /// <param name="labels">The labels to leave [N] (int64 class indices; usually k̂(x)).</param>
    /// <param name="options">Norm, overshoot, step limit and candidate classes; validated (and copied) on every call.</param>
    /// <param name="clampToBounds">Clamp every evaluated point into the model's bounds.</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    public static DeepFoolOutcome Run(IDifferentiableClassifier model, Tensor x, Tensor labels, DeepFoolOptions options,
        bool clampToBounds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        Guard.Batch(x, nameof(x));
        Guard.Finite(x, nameof(x));
        Guard.Labels(labels, x.shape[0], model.ClassCount, nameof(labels));
        if (clampToBounds) InputChecks.Inputs(x, model.Bounds, nameof(x));
        var o = options.Validated();
        cancellationToken.ThrowIfCancellationRequested();

        using var outer = NewDisposeScope();
        using var noGrad = no_grad();
        var device = model.Device;
        var start = x.detach().to(device);
        var n = start.shape[0];
        var k = Math.Min(o.CandidateClasses, model.ClassCount);
        var own = labels.to(device).to_type(ScalarType.Int64);
        var logits = model.Logits(start).detach();
        // The label first, then the other classes by decreasing logit at the starting point.
        var ranked = logits.masked_fill(nn.functional.one_hot(own, model.ClassCount).to_type(ScalarType.Bool), float.PositiveInfinity);
        var candidates = ranked.argsort(1, descending: true).narrow(1, 0, k).contiguous();
        var active = logits.argmax(1).eq(own);
        var fooled = active.logical_not();
        var total = zeros_like(start);
        var steps = zeros(n, dtype: ScalarType.Int64, device: device);
        var current = start.clone();
        var scale = 1.0 + o.Overshoot;

        for (var iteration = 0; iteration < o.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var index = active.nonzero().squeeze(1);
            if (index.numel() == 0) break;
            var (f, w) = LinearisedBoundaries(model, current.index_select(0, index), candidates.index_select(0, index), k);

            // Closest linearised boundary l and the step toward it.
            var flatW = w.flatten(2);                                                          // [m, k−1, D]
            var dual = o.Norm == Norm.L2 ? flatW.norm(2, false, 2.0f) : flatW.abs().sum(2);    // ‖w'_k‖_q
            var distance = f.abs() / dual.clamp_min(1e-12);                                   // [m, k−1]
            var closest = distance.argmin(1, keepdim: true);                                  // [m, 1]
            var pert = distance.gather(1, closest).squeeze(1);                                // [m]
            var wl = flatW.gather(1, closest.unsqueeze(2).expand(-1, 1, flatW.shape[2])).squeeze(1); // [m, D]
            var direction = o.Norm == Norm.L2 ? PerSample.L2Normalise(wl) : wl.sign();
            var step = (pert + StepFloor).unsqueeze(1) * direction;
            var shape = start.shape;
            shape[0] = index.shape[0];
            total.index_add_(0, index, step.view(shape), 1);
            steps.index_add_(0, index, ones_like(index), 1);

            var next = start.index_select(0, index) + scale * total.index_select(0, index);
            if (clampToBounds) next = model.Bounds.Clamp(next);
            current.index_copy_(0, index, next);
            var changed = model.Logits(next).argmax(1).ne(own.index_select(0, index));
            fooled.index_copy_(0, index, changed);
            active.index_copy_(0, index, changed.logical_not());
        }

        var perturbation = total * scale;
        return new DeepFoolOutcome(current.MoveToOuterDisposeScope(), perturbation.MoveToOuterDisposeScope(),
            fooled.MoveToOuterDisposeScope(), steps.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// At <paramref name="point"/> [m, ...]: f'_k = f_k − f_{own} [m, k−1] and w'_k = ∇(f_k − f_{own}) [m, k−1, ...] for the
    /// candidate classes other than the first (the label). One forward pass, one gradient per candidate class.
    /// </summary>
    private static (Tensor F, Tensor W) LinearisedBoundaries(IDifferentiableClassifier model, Tensor point, Tensor candidates, int k)
    {
        var own = candidates.narrow(1, 0, 1);
        var objectives = new AttackObjective[k - 1];
        for (var j = 0; j < k - 1; j++)
        {
            var other = candidates.narrow(1, j + 1, 1);
            objectives[j] = logits => (logits.gather(1, other) - logits.gather(1, own)).sum();
        }
        using var g = InputGradient.Of(model, point, objectives);
        var chosen = g.Logits.gather(1, candidates);                              // [m, k]
        var differences = chosen.narrow(1, 1, k - 1) - chosen.narrow(1, 0, 1);    // [m, k−1]
        return (differences, stack(g.Gradients, 1));
    }
}
