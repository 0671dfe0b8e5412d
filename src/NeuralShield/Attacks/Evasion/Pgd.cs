using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

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
