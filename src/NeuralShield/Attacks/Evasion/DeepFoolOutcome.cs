namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// What <see cref="DeepFoolSearch.Run"/> returns; all tensors on the model's device. Owns its tensors: dispose it.
/// </summary>
public sealed class DeepFoolOutcome(Tensor adversarial, Tensor perturbation, Tensor fooled, Tensor steps) : IDisposable
{
    /// <summary>The last evaluated point x + (1 + η)·Σ r_i [N, ...], clamped into the bounds when the run clamps.</summary>
    public Tensor Adversarial { get; } = adversarial;

    /// <summary>The total perturbation (1 + η)·Σ r_i [N, ...], never clamped; zero for samples not attacked.</summary>
    public Tensor Perturbation { get; } = perturbation;

    /// <summary>Whether the prediction at <see cref="Adversarial"/> differs from the label [N] (bool).</summary>
    public Tensor Fooled { get; } = fooled;

    /// <summary>Linearisation steps taken [N] (int64); zero for samples not attacked.</summary>
    public Tensor Steps { get; } = steps;

    /// <inheritdoc />
    public void Dispose()
    {
        Adversarial.Dispose();
        Perturbation.Dispose();
        Fooled.Dispose();
        Steps.Dispose();
    }
}
