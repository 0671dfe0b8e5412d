using NeuralShield.Attacks.Core;

namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// Runs a (typically stochastic) evasion attack several times — e.g. PGD with different random starts — and
/// keeps, per sample, the best adversarial: a successful one over an unsuccessful one, then the one with the
/// smallest perturbation in <see cref="Norm"/> (the earlier run on ties). The runs are made by a factory from the
/// run index 0, 1, …, n − 1, from which it derives each run's seed. Adding runs never loses a success. The repeat is
/// an evasion attack itself, so it nests with <see cref="Cascade{TModel}"/>; the library re-checks its final success.
/// </summary>
/// <typeparam name="TModel">The access the repeated attack needs.</typeparam>
public sealed class Repeat<TModel> : EvasionAttackBase<TModel> where TModel : IClassifier
{
    private readonly IEvasionAttack<TModel>[] _runs;

    /// <summary>Creates the repeat: <paramref name="factory"/> is called once per run index 0 … <paramref name="count"/> − 1 now.</summary>
    /// <param name="factory">Makes the attack of run i (e.g. <c>i =&gt; new Pgd(new PgdOptions { Seed = i })</c>).</param>
    /// <param name="count">Number of runs (at least 1).</param>
    /// <param name="norm">The norm that ranks two adversarials of equal success. Default L2.</param>
    public Repeat(Func<int, IEvasionAttack<TModel>> factory, int count, Norm norm = Norm.L2)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Guard.Positive(count, nameof(count));
        if (!Enum.IsDefined(norm)) throw new ArgumentOutOfRangeException(nameof(norm), norm, "Unknown norm.");
        Norm = norm;
        _runs = new IEvasionAttack<TModel>[count];
        for (var i = 0; i < count; i++)
            _runs[i] = factory(i) ?? throw new ArgumentException($"factory returned null for run {i}.", nameof(factory));
    }

    /// <summary>The attack of each run, in run order.</summary>
    public IReadOnlyList<IEvasionAttack<TModel>> Runs => _runs;

    /// <summary>Number of runs.</summary>
    public int Count => _runs.Length;

    /// <summary>The norm that ranks adversarials of equal success.</summary>
    public Norm Norm { get; }

    /// <inheritdoc />
    public override AttackDescriptor Descriptor => CompositionChecks.Describe($"Repeat({_runs[0].Descriptor.Name} x{_runs.Length})", _runs);

    /// <inheritdoc />
    protected override Tensor Perturb(TModel model, Tensor inputs, AttackGoal goal, CancellationToken cancellationToken)
    {
        Tensor? best = null;
        Tensor? bestSuccess = null;
        Tensor? bestDistance = null;
        foreach (var attack in _runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var result = attack.Run(model, inputs, goal, RunOptions.Default, cancellationToken);
            var candidate = result.Adversarials.to(inputs.device).to_type(ScalarType.Float32);
            var success = CompositionChecks.Success(model, result, goal).to(inputs.device);
            var distance = Distances.Of(Norm, candidate, inputs);
            if (best is null)
            {
                best = candidate.clone().MoveToOuterDisposeScope();
                bestSuccess = success.clone().MoveToOuterDisposeScope();
                bestDistance = distance.MoveToOuterDisposeScope();
                continue;
            }
            var better = success.logical_and(bestSuccess!.logical_not())
                .logical_or(success.eq(bestSuccess!).logical_and(distance.lt(bestDistance!)));
            best.copy_(PerSample.Where(better, candidate, best));
            bestSuccess!.logical_or_(success);
            bestDistance!.copy_(where(better, distance, bestDistance!));
        }
        return best!;
    }
}

/// <summary>What the compositions share: their descriptor and how they learn whether a member's adversarials met the goal.</summary>
internal static class CompositionChecks
{
    /// <summary>A composition needs the most demanding access of its members and supports the goals all of them support.</summary>
    public static AttackDescriptor Describe<TModel>(string name, IReadOnlyList<IEvasionAttack<TModel>> members) where TModel : IClassifier
    {
        var access = members.Max(m => m.Descriptor.Access);
        var goals = members.Aggregate(GoalSupport.Both, (g, m) => g & m.Descriptor.Goals);
        return new AttackDescriptor(name, AttackFamily.Evasion, access, null, goals);
    }

    /// <summary>The member's own success when the library computed it, otherwise a fresh check of the adversarials on the model.</summary>
    public static Tensor Success<TModel>(TModel model, EvasionResult result, AttackGoal goal) where TModel : IClassifier
    {
        if (result.CheckedByLibrary) return result.Success;
        using var predictions = model.Predict(result.Adversarials);
        return goal.IsSuccess(predictions);
    }
}
