using NeuralShield.Internal;
using NeuralShield.Metrics;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="Pgd"/>.</summary>
public sealed class PgdOptions
{
    /// <summary>Radius ε of the perturbation ball. Madry et al.: 0.3 (L∞, MNIST in [0, 1]).</summary>
    public double Epsilon { get; set; } = 0.3;

    /// <summary>Step size α. Madry et al.: 0.01 on MNIST.</summary>
    public double StepSize { get; set; } = 0.01;

    /// <summary>Number of gradient steps. Madry et al.: 40 (evaluation) and 100.</summary>
    public int Steps { get; set; } = 40;

    /// <summary>The norm of the ball: <see cref="Norm.LInf"/> (sign steps) or <see cref="Norm.L2"/> (normalised gradient steps).</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>Start from a uniformly random point of the ball (Madry et al.) instead of the input.</summary>
    public bool RandomStart { get; set; } = true;

    /// <summary>Freeze each sample as soon as it meets the goal (saves work; Madry et al. run all steps).</summary>
    public bool EarlyStop { get; set; }

    /// <summary>The loss followed. Default cross-entropy.</summary>
    public GradientLoss Loss { get; set; } = GradientLoss.CrossEntropy;

    /// <summary>Seed of the random start.</summary>
    public long Seed { get; set; }

    internal PgdOptions Validated()
    {
        Guard.Positive(Epsilon, nameof(Epsilon));
        Guard.Positive(StepSize, nameof(StepSize));
        Guard.Positive(Steps, nameof(Steps));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "PGD supports the L∞ and L2 balls.");
        if (!Enum.IsDefined(Loss)) throw new ArgumentOutOfRangeException(nameof(Loss), Loss, "Unknown loss.");
        return (PgdOptions)MemberwiseClone();
    }
}

/// <summary>
/// Projected gradient descent — Madry, Makelov, Schmidt, Tsipras, Vladu, "Towards Deep Learning Models
/// Resistant to Adversarial Attacks", ICLR 2018 (arXiv 1706.06083).
/// Threat model: white box (gradients of the logits), perturbation bounded in an L∞ or L2 ball of radius ε.
/// x_{k+1} = Π_{ε-ball ∩ bounds}(x_k + α·step(∇ₓL)), with step = sign (L∞) or g/‖g‖₂ (L2), from a random
/// start in the ball. Paper (MNIST): ε = 0.3, α = 0.01, 40 steps (100 for the strongest evaluation).
/// FGSM (<see cref="Fgsm"/>) is its one-step case without random start.
/// </summary>
public sealed class Pgd : EvasionAttackBase<IDifferentiableClassifier>
{
    private readonly PgdOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public Pgd(PgdOptions? options = null) => _options = (options ?? new PgdOptions()).Validated();

    /// <summary>The validated settings.</summary>
    public PgdOptions Options => _options;

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var o = _options;
        var x = o.RandomStart ? model.Bounds.Clamp(Project(inputs + RandomPoint(inputs), inputs)) : inputs.clone();
        var active = o.EarlyStop ? ones(inputs.shape[0], dtype: ScalarType.Bool, device: inputs.device) : null;
        for (var step = 0; step < o.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var iteration = NewDisposeScope();
            var (gradient, success) = Gradient(model, x, goal, o.Loss, wantSuccess: active is not null);
            var direction = o.Norm == Norm.LInf ? gradient.sign() : NormalisePerSample(gradient);
            var next = x + o.StepSize * direction;
            next = model.Bounds.Clamp(Project(next, inputs));
            if (active is not null)
            {
                active.logical_and_(success!.logical_not());
                if (!active.any().item<bool>()) break;
                next = where(Broadcast(active, x), next, x);
            }
            x.Dispose();
            x = next.MoveToOuterDisposeScope();
        }
        return x;
    }

    internal Tensor PerturbCore(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken) =>
        Perturb(model, inputs, goal, cancellationToken);

    internal Tensor ProjectCore(Tensor adversarial, Tensor original) => Project(adversarial, original);

    /// <inheritdoc />
    protected override Tensor Project(Tensor adversarial, Tensor original) => ProjectOntoBall(adversarial, original, _options.Norm, _options.Epsilon);

    /// <summary>Projects <paramref name="adversarial"/> onto the <paramref name="norm"/> ball of radius <paramref name="epsilon"/> around <paramref name="original"/>.</summary>
    internal static Tensor ProjectOntoBall(Tensor adversarial, Tensor original, Norm norm, double epsilon)
    {
        if (norm == Norm.LInf) return minimum(maximum(adversarial, original - epsilon), original + epsilon);
        var delta = adversarial - original;
        var length = delta.flatten(1).norm(1, false, 2.0f).clamp_min(1e-12);
        var factor = (epsilon / length).clamp_max(1.0);
        return original + delta * Broadcast(factor, delta);
    }

    /// <summary>∇ₓ of the attack objective (to ascend) at <paramref name="x"/>, and optionally whether each sample already meets the goal there.</summary>
    internal static (Tensor Gradient, Tensor? Success) Gradient(IDifferentiableClassifier model, Tensor x, AttackGoal goal, GradientLoss loss, bool wantSuccess)
    {
        using var enable = enable_grad();
        using var leaf = x.detach().requires_grad_(true);
        var logits = model.Logits(leaf);
        var objective = GradientLossMath.Objective(loss, logits, goal.Labels, goal.IsTargeted);
        var gradient = autograd.grad([objective], [leaf])[0];
        Tensor? success = wantSuccess ? goal.IsSuccess(logits.detach().argmax(1)) : null;
        return (gradient, success);
    }

    private Tensor RandomPoint(Tensor inputs)
    {
        using var generator = new Generator((ulong)_options.Seed);
        var eps = _options.Epsilon;
        if (_options.Norm == Norm.LInf)
            return (rand(inputs.shape, generator: generator) * (2 * eps) - eps).to(inputs.device);
        var direction = NormalisePerSample(randn(inputs.shape, generator: generator));
        var features = inputs[0].numel();
        var radius = rand(inputs.shape[0], generator: generator).pow(1.0 / features) * eps;
        return (direction * Broadcast(radius, direction)).to(inputs.device);
    }

    /// <summary>Each sample divided by its L2 norm.</summary>
    internal static Tensor NormalisePerSample(Tensor t)
    {
        var length = t.flatten(1).norm(1, false, 2.0f).clamp_min(1e-12);
        return t / Broadcast(length, t);
    }

    /// <summary>A per-sample vector [N] reshaped to broadcast against a batch like <paramref name="like"/>.</summary>
    internal static Tensor Broadcast(Tensor perSample, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = like.shape[0];
        return perSample.view(shape);
    }
}
