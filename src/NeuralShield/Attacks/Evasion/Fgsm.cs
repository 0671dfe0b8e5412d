using NeuralShield.Internal;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Attacks.Evasion;

/// <summary>Settings of <see cref="Fgsm"/>.</summary>
public sealed class FgsmOptions
{
    /// <summary>Step ε. Goodfellow et al.: 0.25 on MNIST in [0, 1] (0.1 on CIFAR-10).</summary>
    public double Epsilon { get; set; } = 0.25;

    /// <summary><see cref="Norm.LInf"/> (the paper's sign step) or <see cref="Norm.L2"/> (fast gradient method).</summary>
    public Norm Norm { get; set; } = Norm.LInf;

    /// <summary>The loss followed. Default cross-entropy (the paper's J).</summary>
    public GradientLoss Loss { get; set; } = GradientLoss.CrossEntropy;

    internal PgdOptions ToPgd()
    {
        Guard.Positive(Epsilon, nameof(Epsilon));
        return new PgdOptions { Epsilon = Epsilon, StepSize = Epsilon, Steps = 1, Norm = Norm, RandomStart = false, Loss = Loss };
    }
}

/// <summary>
/// Fast gradient sign method — Goodfellow, Shlens, Szegedy, "Explaining and Harnessing Adversarial Examples",
/// ICLR 2015 (arXiv 1412.6572). Threat model: white box. x' = clip(x + ε·sign(∇ₓJ(θ, x, y))), one step;
/// targeted: x' = clip(x − ε·sign(∇ₓJ(θ, x, t))). Paper (MNIST, ε = 0.25): 99.9% error on softmax regression,
/// 89.4% on a maxout network. The one-step case of <see cref="Pgd"/>.
/// </summary>
public sealed class Fgsm : EvasionAttackBase<IDifferentiableClassifier>
{
    private readonly Pgd _core;

    /// <summary>Creates the attack; the options are validated and copied.</summary>
    public Fgsm(FgsmOptions? options = null) => _core = new Pgd((options ?? new FgsmOptions()).ToPgd());

    /// <summary>ε.</summary>
    public double Epsilon => _core.Options.Epsilon;

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken) =>
        _core.PerturbCore(model, inputs, goal, cancellationToken);

    /// <inheritdoc />
    protected override Tensor Project(Tensor adversarial, Tensor original) => _core.ProjectCore(adversarial, original);
}
