using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// DeepFool — Moosavi-Dezfooli, Fawzi, Frossard, "DeepFool: a simple and accurate method to fool deep neural
/// networks", CVPR 2016 (arXiv 1511.04599).
/// <para>
/// Threat model: white box (gradients of the logits), untargeted: the smallest perturbation, in L2 or L∞,
/// that changes the classifier's decision k̂(x). No perturbation budget; the attack minimises the norm.
/// </para>
/// <para>
/// Algorithm (paper, Algorithm 2, multi-class): see <see cref="DeepFoolSearch"/>, which this attack runs with the
/// evaluated points clamped into the model's bounds (the paper's unbounded setting does not need it). Paper values:
/// overshoot η = 0.02; reference code: 50 iterations, 10 candidate classes.
/// </para>
/// <para>
/// Under an untargeted goal, a sample the model already misclassifies is returned unchanged (it already
/// meets the goal); for the others the true label is k̂(x), as in the paper. Targeted goals are not supported.
/// </para>
/// </summary>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
public sealed class DeepFool(DeepFoolOptions? options = null) : EvasionAttack<IDifferentiableClassifier, DeepFoolOptions>(options ?? new DeepFoolOptions())
{
    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new(Settings.Norm == Norm.L2 ? "DeepFool L2" : "DeepFool L∞", AttackFamily.Evasion, ModelAccess.WhiteBox, Papers.MoosaviDezfooli2016, GoalSupport.Untargeted);

    /// <inheritdoc />
    protected override Tensor Perturb(IDifferentiableClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        using var outcome = DeepFoolSearch.Run(model, inputs, goal.Labels, Settings, clampToBounds: true, cancellationToken);
        return outcome.Adversarial.clone();
    }
}
