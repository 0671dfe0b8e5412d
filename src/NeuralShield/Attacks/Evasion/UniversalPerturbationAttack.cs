namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Applies a fixed universal perturbation v to new data: x' = clamp(x + v). Black box at apply time (the model is
/// queried only by the library's success check). Holds its own copy of v; dispose it when done.
/// </summary>
public sealed class UniversalPerturbationAttack : EvasionAttackBase<IClassifier>, IDisposable
{
    private readonly Tensor _perturbation;

    /// <summary>Creates the attack from <paramref name="perturbation"/> (one sample's shape), which is copied.</summary>
    public UniversalPerturbationAttack(Tensor perturbation)
    {
        ArgumentNullException.ThrowIfNull(perturbation);
        if (perturbation.IsInvalid) throw new ObjectDisposedException(nameof(perturbation));
        if (!perturbation.dtype.IsFloatingPoint()) throw new ArgumentException($"perturbation must be a floating-point tensor; got {perturbation.dtype}.", nameof(perturbation));
        _perturbation = perturbation.detach().to_type(ScalarType.Float32).clone();
    }

    /// <summary>The shape of the samples this attack applies to.</summary>
    public IReadOnlyList<long> SampleShape => _perturbation.shape;

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new("Universal perturbation", AttackFamily.Evasion, ModelAccess.Probabilities, Papers.MoosaviDezfooli2017, GoalSupport.Untargeted);

    /// <inheritdoc />
    protected override Tensor Perturb(IClassifier model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        if (!inputs.shape.Skip(1).SequenceEqual(_perturbation.shape))
            throw new ArgumentException($"inputs must have shape [N, {string.Join(", ", _perturbation.shape)}]; got [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        return inputs + _perturbation.to(inputs.device);
    }

    /// <inheritdoc />
    public void Dispose() => _perturbation.Dispose();
}
