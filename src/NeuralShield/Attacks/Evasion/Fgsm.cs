using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

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
