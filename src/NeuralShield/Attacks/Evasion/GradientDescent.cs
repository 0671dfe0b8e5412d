using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="Pgd"/>.</summary>
public sealed class PgdOptions : OptionsBase<PgdOptions>
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

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        Guard.PositiveFloat32(StepSize, nameof(StepSize));
        Guard.Positive(Steps, nameof(Steps));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "PGD supports the L∞ and L2 balls.");
        Guard.Defined(Loss, nameof(Loss));
    }
}

/// <summary>Settings of <see cref="Fgsm"/>.</summary>
public sealed class FgsmOptions : OptionsBase<FgsmOptions>
{
    /// <summary>Step ε. Goodfellow et al.: 0.25 on MNIST in [0, 1] (0.1 on CIFAR-10).</summary>
    public double Epsilon { get; set; } = 0.25;

    /// <summary><see cref="Norm.LInf"/> (the paper's sign step) or <see cref="Norm.L2"/> (fast gradient method).</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>The loss followed. Default cross-entropy (the paper's J).</summary>
    public GradientLoss Loss { get; set; } = GradientLoss.CrossEntropy;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.PositiveFloat32(Epsilon, nameof(Epsilon));
        if (Norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(Norm), Norm, "FGSM supports the L∞ and L2 norms.");
        Guard.Defined(Loss, nameof(Loss));
    }
}

/// <summary>
/// Gradient descent on the attack loss inside an Lp ball — the one loop behind <see cref="Pgd"/> and
/// <see cref="Fgsm"/> (Foolbox's shape). From x₀ = x (or a uniformly random point of the ball),
/// x_{k+1} = Π_{B(x, ε) ∩ bounds}(x_k + α·d(∇ₓL(x_k))), with d = sign (L∞) or g/‖g‖₂ (L2) and L the
/// objective of <see cref="GradientLoss"/> toward the goal (ascended; the targeted objective is the negated
/// loss on the target). Batched; with early stop a sample freezes once it meets the goal.
/// </summary>
public abstract class GradientDescentAttack : EvasionAttackBase<IDifferentiableClassifier>
{
    private readonly LpBall _ball;
    private readonly double _stepSize;
    private readonly int _steps;
    private readonly bool _randomStart;
    private readonly bool _earlyStop;
    private readonly GradientLoss _loss;
    private readonly long _seed;

    /// <summary>Creates the loop from already validated settings.</summary>
    private protected GradientDescentAttack(LpBall ball, double stepSize, int steps, bool randomStart, bool earlyStop, GradientLoss loss, long seed)
    {
        _ball = ball;
        _stepSize = stepSize;
        _steps = steps;
        _randomStart = randomStart;
        _earlyStop = earlyStop;
        _loss = loss;
        _seed = seed;
    }

    /// <summary>The threat-model ball.</summary>
    public LpBall Ball => _ball;

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var objective = Objectives.For(_loss, goal);
        var x = _randomStart ? model.Bounds.Clamp(_ball.Project(inputs + _ball.RandomOffset(inputs, _seed), inputs)) : inputs.clone();
        var active = _earlyStop ? ones(inputs.shape[0], dtype: ScalarType.Bool, device: inputs.device) : null;
        for (var step = 0; step < _steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var iteration = NewDisposeScope();
            using var g = InputGradient.Of(model, x, objective);
            var next = model.Bounds.Clamp(_ball.Project(x + _stepSize * _ball.SteepestAscent(g.Gradient), inputs));
            if (active is not null)
            {
                active.logical_and_(goal.IsSuccess(g.Logits.argmax(1)).logical_not());
                if (!active.any().item<bool>()) break;
                next = PerSample.Where(active, next, x);
            }
            x.Dispose();
            x = next.MoveToOuterDisposeScope();
        }
        return x;
    }

    /// <inheritdoc />
    protected override Tensor Project(Tensor adversarial, Tensor original) => _ball.Project(adversarial, original);
}

/// <summary>
/// Projected gradient descent — Madry, Makelov, Schmidt, Tsipras, Vladu, "Towards Deep Learning Models
/// Resistant to Adversarial Attacks", ICLR 2018 (arXiv 1706.06083).
/// Threat model: white box (gradients of the logits), perturbation bounded in an L∞ or L2 ball of radius ε.
/// x_{k+1} = Π_{ε-ball ∩ bounds}(x_k + α·step(∇ₓL)), with step = sign (L∞) or g/‖g‖₂ (L2), from a random
/// start in the ball. Paper (MNIST): ε = 0.3, α = 0.01, 40 steps (100 for the strongest evaluation).
/// </summary>
public sealed class Pgd : GradientDescentAttack
{
    private readonly PgdOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public Pgd(PgdOptions? options = null) : this((options ?? new PgdOptions()).Checked())
    {
    }

    private Pgd(Checked<PgdOptions> validated)
        : base(new LpBall(validated.Value.Norm, validated.Value.Epsilon), validated.Value.StepSize, validated.Value.Steps, validated.Value.RandomStart, validated.Value.EarlyStop, validated.Value.Loss, validated.Value.Seed)
    {
        _options = validated.Value;
    }

    /// <summary>A copy of the validated settings; changing it does not change the attack.</summary>
    public PgdOptions Options => _options.Copy();

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(_options.Norm == Norm.LInf ? "PGD L∞" : "PGD L2", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.Madry2018, GoalSupport.Both);
}

/// <summary>
/// Fast gradient sign method — Goodfellow, Shlens, Szegedy, "Explaining and Harnessing Adversarial Examples",
/// ICLR 2015 (arXiv 1412.6572). Threat model: white box. x' = clip(x + ε·sign(∇ₓJ(θ, x, y))), one step;
/// targeted: x' = clip(x − ε·sign(∇ₓJ(θ, x, t))). Paper (MNIST, ε = 0.25): 99.9% error on softmax regression,
/// 89.4% on a maxout network. The one-step case of <see cref="GradientDescentAttack"/>: step α = ε, no random start.
/// </summary>
public sealed class Fgsm : GradientDescentAttack
{
    private readonly FgsmOptions _options;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public Fgsm(FgsmOptions? options = null) : this((options ?? new FgsmOptions()).Checked())
    {
    }

    private Fgsm(Checked<FgsmOptions> validated)
        : base(new LpBall(validated.Value.Norm, validated.Value.Epsilon), validated.Value.Epsilon, steps: 1, randomStart: false, earlyStop: false, validated.Value.Loss, seed: 0)
    {
        _options = validated.Value;
    }

    /// <summary>ε.</summary>
    public double Epsilon => _options.Epsilon;

    /// <summary>A copy of the validated settings; changing it does not change the attack.</summary>
    public FgsmOptions Options => _options.Copy();

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(_options.Norm == Norm.LInf ? "FGSM" : "FGM L2", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.Goodfellow2015, GoalSupport.Both);
}
