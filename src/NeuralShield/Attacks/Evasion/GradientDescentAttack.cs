using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

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
