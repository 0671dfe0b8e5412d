namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// A fitted universal perturbation v and how it did on the fitting set. Owns <see cref="Perturbation"/>.
/// </summary>
public sealed class UniversalPerturbationResult(Tensor perturbation, InputBounds bounds, Norm norm, double xi, double foolingRate, int passes, IReadOnlyList<double> history)
    : IDisposable
{
    /// <summary>The universal perturbation v, one sample's shape (no batch dimension), on the model's device.</summary>
    public Tensor Perturbation { get; } = perturbation;

    /// <summary>The model's input bounds, into which <see cref="Apply"/> clamps.</summary>
    public InputBounds Bounds { get; } = bounds;

    /// <summary>The norm of the ball v was projected onto.</summary>
    public Norm Norm { get; } = norm;

    /// <summary>The radius ξ of that ball.</summary>
    public double Xi { get; } = xi;

    /// <summary>
    /// Fooling rate of <see cref="Perturbation"/> on the fitting set: the share of its points whose predicted label
    /// changed; the best pass's (or epoch's) rate, since the best v is returned.
    /// </summary>
    public double FittingFoolingRate { get; } = foolingRate;

    /// <summary>Passes (epochs) made over the fitting set.</summary>
    public int Passes { get; } = passes;

    /// <summary>The fitting-set fooling rate after each pass.</summary>
    public IReadOnlyList<double> FoolingRateHistory { get; } = history;

    /// <summary>‖v‖ in <see cref="Norm"/>.</summary>
    public double PerturbationNorm => UniversalPerturbation.NormOf(Perturbation, Norm);

    /// <summary>A new tensor: clamp(images + v), for images [N, ...] of v's shape (moved to v's device).</summary>
    public Tensor Apply(Tensor images)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var x = images.to(Perturbation.device).to_type(ScalarType.Float32);
        return Bounds.Clamp(x + Perturbation).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The share of <paramref name="images"/> whose predicted label under <paramref name="model"/> changes when v is
    /// added (clamped to the bounds): k̂(x + v) ≠ k̂(x). Counts changed labels, not errors.
    /// </summary>
    public double FoolingRate(IClassifier model, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckImages(images);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = images.to(model.Device).to_type(ScalarType.Float32);
        var v = Perturbation.to(model.Device);
        var clean = model.Predict(x);
        return UniversalPerturbation.FoolingRate(model, x, clean, v);
    }

    /// <summary>A black-box evasion attack that adds this v (a copy of it) to every input; the caller disposes it.</summary>
    public UniversalPerturbationAttack AsAttack() => new(Perturbation);

    private void CheckImages(Tensor images)
    {
        Guard.Finite(images, nameof(images));
        Guard.Batch(images, nameof(images));
        if (!images.shape.Skip(1).SequenceEqual(Perturbation.shape))
            throw new ArgumentException($"images must have shape [N, {string.Join(", ", Perturbation.shape)}]; got [{string.Join(", ", images.shape)}].", nameof(images));
    }

    /// <inheritdoc />
    public void Dispose() => Perturbation.Dispose();
}
