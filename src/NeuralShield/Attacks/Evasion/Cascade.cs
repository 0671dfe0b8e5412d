namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Runs evasion attacks in order; each next attack sees only the samples that no earlier attack has broken, and
/// each sample keeps the first adversarial that met the goal (samples no attack broke keep the last attempt).
/// A typical use: a cheap attack first (FGSM), a strong one for what it leaves (PGD, JSMA). The cascade is an
/// evasion attack itself, so cascades nest, and the library re-checks its final success on the model.
/// Queries include each member's own success check.
/// </summary>
/// <typeparam name="TModel">The access the cascade needs: the most demanding of its members'.</typeparam>
public sealed class Cascade<TModel> : EvasionAttackBase<TModel> where TModel : IClassifier
{
    private readonly IEvasionAttack<TModel>[] _attacks;

    /// <summary>Creates a cascade of <paramref name="attacks"/>, run in the given order.</summary>
    /// <exception cref="ArgumentException">No attacks, or a null one.</exception>
    public Cascade(params IEvasionAttack<TModel>[] attacks) : this((IEnumerable<IEvasionAttack<TModel>>)attacks)
    {
    }

    /// <summary>Creates a cascade of <paramref name="attacks"/>, run in the given order.</summary>
    /// <exception cref="ArgumentException">No attacks, or a null one.</exception>
    public Cascade(IEnumerable<IEvasionAttack<TModel>> attacks)
    {
        ArgumentNullException.ThrowIfNull(attacks);
        _attacks = attacks.ToArray();
        if (_attacks.Length == 0) throw new ArgumentException("A cascade needs at least one attack.", nameof(attacks));
        if (_attacks.Any(a => a is null)) throw new ArgumentException("attacks must not contain null.", nameof(attacks));
    }

    /// <summary>The member attacks, in order.</summary>
    public IReadOnlyList<IEvasionAttack<TModel>> Attacks => _attacks;

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => CompositionChecks.Describe("Cascade(" + string.Join(" > ", _attacks.Select(a => a.Descriptor.Name)) + ")", _attacks);

    /// <inheritdoc />
    protected override Tensor Perturb(TModel model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        var adversarial = inputs.clone();
        var remaining = arange(inputs.shape[0], dtype: ScalarType.Int64, device: inputs.device);
        foreach (var attack in _attacks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (remaining.numel() == 0) break;
            using var scope = NewDisposeScope();
            var subset = inputs.index_select(0, remaining);
            var subGoal = goal.Select(remaining);
            using var result = attack.Run(model, subset, subGoal, RunOptions.Default, cancellationToken);
            var success = CompositionChecks.Success(model, result, subGoal);
            adversarial.index_copy_(0, remaining, result.Adversarials.to(inputs.device).to_type(ScalarType.Float32));
            var next = remaining.masked_select(success.to(remaining.device).logical_not());
            remaining.Dispose();
            remaining = next.MoveToOuterDisposeScope();
        }
        return adversarial;
    }
}
