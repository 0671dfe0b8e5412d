using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Gradient descent on the attack loss inside an Lp ball — the one loop behind <see cref="Pgd"/> and
/// <see cref="Fgsm"/> (Foolbox's shape). From x₀ = x (or a uniformly random point of the ball),
/// x_{k+1} = Π_{B(x, ε) ∩ bounds}(x_k + α·d(∇ₓL(x_k))), with d = sign (L∞) or g/‖g‖₂ (L2) and L the
/// objective of <see cref="GradientLoss"/> toward the goal (ascended; the targeted objective is the negated
/// loss on the target). Batched; with early stop a sample freezes once it meets the goal.
/// </summary>
/// <typeparam name="TOptions">The attack's options, validated and copied once at construction.</typeparam>
public abstract class GradientDescentAttack<TOptions> : EvasionAttack<IDifferentiableClassifier, TOptions>
    where TOptions : OptionsBase<TOptions>
{
    private readonly Descent _descent;

    /// <summary>The loop's settings, as an attack reads them from its validated options.</summary>
    private protected readonly record struct Descent(LpBall Ball, double StepSize, int Steps, bool RandomStart, bool EarlyStop, GradientLoss Loss, long Seed);

    /// <summary>Validates and copies <paramref name="options"/>; <paramref name="descent"/> reads the loop's settings from the copy.</summary>
    private protected GradientDescentAttack(TOptions options, Func<TOptions, Descent> descent)
        : base(options) =>
        _descent = descent(Settings);

    /// <summary>The threat-model ball.</summary>
    public LpBall Ball => _descent.Ball;

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var objective = Objectives.For(_descent.Loss, goal);
        var x = _descent.RandomStart ? model.Bounds.Clamp(_descent.Ball.Project(inputs + _descent.Ball.RandomOffset(inputs, _descent.Seed), inputs)) : inputs.clone();
        var active = _descent.EarlyStop ? ones(inputs.shape[0], dtype: ScalarType.Bool, device: inputs.device) : null;
        for (var step = 0; step < _descent.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var iteration = NewDisposeScope();
            using var g = InputGradient.Of(model, x, objective);
            var next = model.Bounds.Clamp(_descent.Ball.Project(x + _descent.StepSize * _descent.Ball.SteepestAscent(g.Gradient), inputs));
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
    protected override Tensor Project(Tensor adversarial, Tensor original) => _descent.Ball.Project(adversarial, original);
}
