using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Fast gradient sign method — Goodfellow, Shlens, Szegedy, "Explaining and Harnessing Adversarial Examples",
/// ICLR 2015 (arXiv 1412.6572). Threat model: white box. x' = clip(x + ε·sign(∇ₓJ(θ, x, y))), one step;
/// targeted: x' = clip(x − ε·sign(∇ₓJ(θ, x, t))). Paper (MNIST, ε = 0.25): 99.9% error on softmax regression,
/// 89.4% on a maxout network. The one-step case of <see cref="GradientDescentAttack{TOptions}"/>: step α = ε, no random start.
/// </summary>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
public sealed class Fgsm(FgsmOptions? options = null) : GradientDescentAttack<FgsmOptions>(
    options ?? new FgsmOptions(),
    o => new(new LpBall(o.Norm, o.Epsilon), StepSize: o.Epsilon, Steps: 1, RandomStart: false, EarlyStop: false, o.Loss, Seed: 0))
{
    /// <summary>ε.</summary>
    public double Epsilon => Settings.Epsilon;

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(Settings.Norm == Norm.LInf ? "FGSM" : "FGM L2", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.Goodfellow2015, GoalSupport.Both);
}
