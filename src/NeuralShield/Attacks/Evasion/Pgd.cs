using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Projected gradient descent — Madry, Makelov, Schmidt, Tsipras, Vladu, "Towards Deep Learning Models
/// Resistant to Adversarial Attacks", ICLR 2018 (arXiv 1706.06083).
/// Threat model: white box (gradients of the logits), perturbation bounded in an L∞ or L2 ball of radius ε.
/// x_{k+1} = Π_{ε-ball ∩ bounds}(x_k + α·step(∇ₓL)), with step = sign (L∞) or g/‖g‖₂ (L2), from a random
/// start in the ball. Paper (MNIST): ε = 0.3, α = 0.01, 40 steps (100 for the strongest evaluation).
/// </summary>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
public sealed class Pgd(PgdOptions? options = null) : GradientDescentAttack<PgdOptions>(
    options ?? new PgdOptions(),
    o => new(new LpBall(o.Norm, o.Epsilon), o.StepSize, o.Steps, o.RandomStart, o.EarlyStop, o.Loss, o.Seed))
{
    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(Settings.Norm == Norm.LInf ? "PGD L∞" : "PGD L2", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.Madry2018, GoalSupport.Both);
}
