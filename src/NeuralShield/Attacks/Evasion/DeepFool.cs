using NeuralShield.Internal;
using NeuralShield.Metrics;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="DeepFool"/>.</summary>
public sealed class DeepFoolOptions
{
    /// <summary>
    /// The norm p in which the perturbation is minimised: <see cref="Norm.L2"/> (the paper's main variant, p = 2)
    /// or <see cref="Norm.LInf"/> (p = ∞, steps along sign(w)). Default L2.
    /// </summary>
    public Norm Norm { get; set; } = Norm.L2;

    /// <summary>Overshoot η: the final perturbation is (1 + η)·Σ r_i. Paper and reference code: 0.02.</summary>
    public double Overshoot { get; set; } = 0.02;

    /// <summary>Most linearisation steps per sample. Reference code: 50 (the universal-perturbation code uses 10).</summary>
    public int MaxIterations { get; set; } = 50;

    /// <summary>
    /// Number of candidate classes: the current class and the classes with the next-highest logits on the
    /// clean input (fixed for the whole run). Reference code: 10 (capped at the model's class count).
    /// </summary>
    public int CandidateClasses { get; set; } = 10;

    internal DeepFoolOptions Validated()
    {
        if (Norm is not (Norm.L2 or Norm.LInf)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "DeepFool supports p = 2 (L2) and p = ∞ (LInf).");
        Guard.NonNegative(Overshoot, nameof(Overshoot));
        Guard.Positive(MaxIterations, nameof(MaxIterations));
        if (CandidateClasses < 2) throw new ArgumentOutOfRangeException(nameof(CandidateClasses), CandidateClasses, "CandidateClasses must be at least 2 (the current class and one other).");
        return (DeepFoolOptions)MemberwiseClone();
    }
}

/// <summary>
/// DeepFool — Moosavi-Dezfooli, Fawzi, Frossard, "DeepFool: a simple and accurate method to fool deep neural
/// networks", CVPR 2016 (arXiv 1511.04599).
/// <para>
/// Threat model: white box (gradients of the logits), untargeted: the smallest perturbation, in L2 or L∞,
/// that changes the classifier's decision k̂(x). No perturbation budget; the attack minimises the norm.
/// </para>
/// <para>
/// Algorithm (paper, Algorithm 2, multi-class): at the current point x_i, linearise every candidate class
/// k ≠ k̂(x): w'_k = ∇f_k(x_i) − ∇f_{k̂}(x_i), f'_k = f_k(x_i) − f_{k̂}(x_i); pick the closest linearised
/// boundary l = argmin_k |f'_k| / ‖w'_k‖_q, and step r_i = |f'_l| / ‖w'_l‖_q^q · |w'_l|^{q−1} ⊙ sign(w'_l),
/// q = p/(p−1): for p = 2, r_i = |f'_l| / ‖w'_l‖₂² · w'_l; for p = ∞, r_i = |f'_l| / ‖w'_l‖₁ · sign(w'_l).
/// Stop when k̂(x + (1 + η)·Σ r_i) ≠ k̂(x) or after <see cref="DeepFoolOptions.MaxIterations"/> steps; return
/// x + (1 + η)·Σ r_i. As in the reference code, each step is lengthened by 10⁻⁴ (in the norm p) so that it
/// never vanishes, and the candidate classes are the top <see cref="DeepFoolOptions.CandidateClasses"/> by
/// clean logit. Paper values: overshoot η = 0.02; reference code: 50 iterations, 10 candidate classes.
/// </para>
/// <para>
/// Batching: all samples step together and each one stops as soon as its label has changed. Each iteration
/// makes one forward pass and one backward pass per candidate class other than k̂ (of the logit difference
/// f_k − f_{k̂}), each batched over the samples still running. The point evaluated at every step (and
/// returned) is clamped into the model's bounds, which the paper's unbounded setting does not need.
/// Under an untargeted goal, a sample the model already misclassifies is returned unchanged (it already
/// meets the goal); for the others the true label is k̂(x), as in the paper. Targeted goals are not supported.
/// </para>
/// </summary>
public sealed class DeepFool : EvasionAttackBase<IDifferentiableClassifier>
{
    /// <summary>The lengthening of every step (reference code), so that a step is never zero.</summary>
    internal const double StepFloor = 1e-4;

    private readonly DeepFoolOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public DeepFool(DeepFoolOptions? options = null) => _options = (options ?? new DeepFoolOptions()).Validated();

    /// <summary>The validated settings.</summary>
    public DeepFoolOptions Options => _options;

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(_options.Norm == Norm.L2 ? "DeepFool L2" : "DeepFool L∞", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.MoosaviDezfooli2016, GoalSupport.Untargeted);

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var o = _options;
        return Minimal(model, inputs, goal.Labels, o.Norm, o.Overshoot, o.MaxIterations, o.CandidateClasses, cancellationToken).Adversarial;
    }

    /// <summary>
    /// The DeepFool core: for inputs <paramref name="x"/> (on the model's device, inside the bounds) and the
    /// labels to leave <paramref name="labels"/> [N], the clamped adversarial, the total perturbation
    /// (1 + η)·Σ r_i (unclamped, zero for samples not attacked), whether each sample's label changed, and the
    /// number of steps each sample took. Samples whose prediction already differs from their label are not attacked.
    /// </summary>
    internal static DeepFoolOutcome Minimal(IDifferentiableClassifier model, Tensor x, Tensor labels, Norm norm, double overshoot,
        int maxIterations, int candidateClasses, CancellationToken cancellationToken)
    {
        using var outer = NewDisposeScope();
        var n = x.shape[0];
        var k = Math.Min(candidateClasses, model.ClassCount);
        var device = x.device;
        var labelsOnDevice = labels.to(device).to_type(ScalarType.Int64);
        Tensor candidates, active;
        using (no_grad())
        {
            var logits = model.Logits(x).detach();
            // The label first, then the other classes by decreasing clean logit.
            var ranked = logits.masked_fill(nn.functional.one_hot(labelsOnDevice, model.ClassCount).to_type(ScalarType.Bool), float.PositiveInfinity);
            candidates = ranked.argsort(1, descending: true).narrow(1, 0, k).contiguous();
            active = logits.argmax(1).eq(labelsOnDevice);
        }
        var fooled = active.logical_not();
        var total = zeros_like(x);
        var steps = zeros(n, dtype: ScalarType.Int64, device: device);
        var current = x.clone();
        var scale = 1.0 + overshoot;

        for (var iteration = 0; ; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var index = active.nonzero().squeeze(1);
            if (index.numel() == 0) break;
            var point = current.index_select(0, index);
            var own = labelsOnDevice.index_select(0, index);
            if (iteration == maxIterations)
            {
                using (no_grad())
                {
                    using var last = model.Logits(point);
                    fooled.index_copy_(0, index, last.argmax(1).ne(own));
                }
                break;
            }

            var (f, w, changed) = LinearisedBoundaries(model, point, own, candidates.index_select(0, index), k);
            fooled.index_copy_(0, index, changed);
            active.index_copy_(0, index, changed.logical_not());
            var still = changed.logical_not();
            if (!still.any().item<bool>()) continue;

            // Closest linearised boundary l and the step toward it.
            var flatW = w.flatten(2);                                           // [m, k−1, D]
            var dual = norm == Norm.L2 ? flatW.norm(2, false, 2.0f) : flatW.abs().sum(2);   // ‖w'_k‖_q
            var distance = f.abs() / dual.clamp_min(1e-12);                      // [m, k−1]
            var closest = distance.argmin(1, keepdim: true);                     // [m, 1]
            var pert = distance.gather(1, closest).squeeze(1);                   // [m]
            var wl = flatW.gather(1, closest.unsqueeze(2).expand(-1, 1, flatW.shape[2])).squeeze(1); // [m, D]
            var direction = norm == Norm.L2
                ? wl / wl.norm(1, true, 2.0f).clamp_min(1e-12)
                : wl.sign();
            var step = ((pert + StepFloor) * still.to_type(pert.dtype)).unsqueeze(1) * direction;
            total.index_add_(0, index, step.view(point.shape), 1);
            steps.index_add_(0, index, still.to_type(ScalarType.Int64), 1);
            current.index_copy_(0, index, model.Bounds.Clamp(x.index_select(0, index) + scale * total.index_select(0, index)));
        }

        var perturbation = total * scale;
        return new DeepFoolOutcome(current.MoveToOuterDisposeScope(), perturbation.MoveToOuterDisposeScope(),
            fooled.MoveToOuterDisposeScope(), steps.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// At <paramref name="point"/> [m, ...]: f'_k = f_k − f_{own} [m, k−1] and w'_k = ∇(f_k − f_{own}) [m, k−1, ...] for the
    /// candidate classes other than the first (the label), and whether the prediction already differs from <paramref name="own"/>.
    /// One backward pass per candidate class, batched over the samples.
    /// </summary>
    private static (Tensor F, Tensor W, Tensor Changed) LinearisedBoundaries(IDifferentiableClassifier model, Tensor point, Tensor own, Tensor candidates, int k)
    {
        using var enable = enable_grad();
        using var leaf = point.detach().requires_grad_(true);
        var logits = model.Logits(leaf);
        var changed = logits.detach().argmax(1).ne(own);
        var chosen = logits.gather(1, candidates);                              // [m, k]
        var differences = chosen.narrow(1, 1, k - 1) - chosen.narrow(1, 0, 1);  // [m, k−1]
        var gradients = new Tensor[k - 1];
        for (var j = 0; j < k - 1; j++)
        {
            var objective = differences.select(1, j).sum();
            gradients[j] = autograd.grad([objective], [leaf], retain_graph: j < k - 2)[0].detach();
        }
        return (differences.detach(), stack(gradients, 1), changed);
    }
}

/// <summary>What the DeepFool core returns; all tensors on the model's device.</summary>
/// <param name="Adversarial">x + (1 + η)·Σ r_i, clamped into the bounds [N, ...].</param>
/// <param name="Perturbation">(1 + η)·Σ r_i, unclamped [N, ...].</param>
/// <param name="Fooled">Whether the label changed [N] (bool).</param>
/// <param name="Steps">Linearisation steps taken [N] (int64).</param>
internal readonly record struct DeepFoolOutcome(Tensor Adversarial, Tensor Perturbation, Tensor Fooled, Tensor Steps) : IDisposable
{
    public void Dispose()
    {
        Adversarial.Dispose();
        Perturbation.Dispose();
        Fooled.Dispose();
        Steps.Dispose();
    }
}
