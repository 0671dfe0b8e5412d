using NeuralShield.Attacks;
using NeuralShield.Attacks.Inference;
using NeuralShield.Defenses;
using NeuralShield.Defenses.Output;

namespace NeuralShield.Evaluation;

/// <summary>
/// Membership inference against one target, written once for the audit and the reproductions: one shadow set is
/// trained per evaluation and shared by every attack and every output defense evaluated on it, and a defended target
/// is attacked by the attacker who knows the defense — the shadows answer through the same defense as the target
/// (<see cref="ShadowModelSet.WithOutputDefense"/>). The attacker who ignores the defense is a row of its own
/// (<c>adaptive: false</c>). Owns the shadows; dispose it.
/// </summary>
public sealed class MembershipEvaluation : IDisposable
{
    private readonly IClassifier _target;
    private readonly LabeledData? _pool;

    private MembershipEvaluation(IClassifier target, MembershipCandidates candidates, ShadowModelSet? shadows, LabeledData? pool)
    {
        _target = target;
        Candidates = candidates;
        Shadows = shadows;
        _pool = pool;
    }

    /// <summary>The candidates every row scores (not owned).</summary>
    public MembershipCandidates Candidates { get; }

    /// <summary>The shared shadows, as trained (undefended); null when the evaluation trains none.</summary>
    public ShadowModelSet? Shadows { get; }

    /// <summary>
    /// Trains the one shadow set of <paramref name="shadowTraining"/> (null: none) on <paramref name="attackerData"/>, to
    /// which the candidates are added when <paramref name="candidatesInPool"/> (LiRA's setting: the attacker's pool
    /// holds the candidates, each in half of the shadows).
    /// </summary>
    /// <param name="target">The undefended target; rows put their output defense in front of it.</param>
    /// <param name="candidates">The records scored (not owned; keep them alive while this evaluation is used).</param>
    /// <param name="attackerData">The attacker's data from the target's distribution.</param>
    /// <param name="shadowTraining">How the shared shadows are made; null: no shadows (attacks then fit on the attacker's data).</param>
    /// <param name="candidatesInPool">Whether the shadows' pool holds the candidates too.</param>
    /// <param name="options">Its logger receives a line per shadow trained.</param>
    /// <param name="cancellationToken">Stops training between mini-batches.</param>
    /// <exception cref="ArgumentException">Class counts or sample shapes of target, candidates and attacker data differ.</exception>
    public static MembershipEvaluation Prepare(IClassifier target, MembershipCandidates candidates, LabeledData attackerData,
        ShadowTrainingOptions? shadowTraining, bool candidatesInPool = false, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(attackerData);
        if (target.ClassCount != candidates.Records.ClassCount)
            throw new ArgumentException($"target has {target.ClassCount} classes but the candidates {candidates.Records.ClassCount}.", nameof(candidates));
        if (attackerData.ClassCount != candidates.Records.ClassCount)
            throw new ArgumentException($"The attacker's data have {attackerData.ClassCount} classes but the candidates {candidates.Records.ClassCount}.", nameof(attackerData));
        if (!attackerData.SampleShape.SequenceEqual(candidates.Records.SampleShape))
            throw new ArgumentException("The attacker's data and the candidates must have the same sample shape.", nameof(attackerData));
        if (shadowTraining is null) return new MembershipEvaluation(target, candidates, null, null);
        LabeledData? pool = null;
        try
        {
            if (candidatesInPool) pool = attackerData.Concat(candidates.Records);
            var shadows = ShadowModelSet.Train(pool ?? attackerData, shadowTraining, options, cancellationToken);
            return new MembershipEvaluation(target, candidates, shadows, pool);
        }
        catch
        {
            pool?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fits <paramref name="attack"/> and scores the candidates, the target answering through <paramref name="defense"/>
    /// (null: undefended). With shared shadows the attack fits on them, seen through the defense when
    /// <paramref name="adaptive"/> (the default) and as trained otherwise; without, it fits on
    /// <paramref name="attackerData"/> against the defended target (its own shadows then answer through the defense too).
    /// </summary>
    /// <exception cref="ArgumentException">No shared shadows and no <paramref name="attackerData"/>.</exception>
    public MembershipRow Evaluate(IMembershipInferenceAttack attack, IOutputDefense? defense = null, bool adaptive = true,
        LabeledData? attackerData = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attack);
        var target = defense is null ? _target : defense.Apply(_target);
        IFittedInference<IClassifier, LabeledData, MembershipScores> fitted;
        if (Shadows is { } shadows)
        {
            using var view = defense is not null && adaptive ? shadows.WithOutputDefense(defense) : null;
            fitted = attack.Fit(target, view ?? shadows, options, cancellationToken);
        }
        else
        {
            if (attackerData is null)
                throw new ArgumentException("Without shared shadows the attack fits on the attacker's data: give attackerData.", nameof(attackerData));
            if (!adaptive && defense is not null)
                throw new ArgumentException("Without shared shadows the attack trains its own, which answer through the target's defense: the non-adaptive row needs shared shadows.", nameof(adaptive));
            fitted = attack.Fit(target, attackerData, options, cancellationToken);
        }
        using (fitted)
        {
            var scores = fitted.Infer(target, Candidates.Records, cancellationToken);
            return Row(scores, defense, defense is null ? null : adaptive);
        }
    }

    /// <summary>Scores the candidates with an attack that learns nothing first, the target answering through <paramref name="defense"/>.</summary>
    public MembershipRow Evaluate(IMembershipScorer attack, IOutputDefense? defense = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attack);
        var target = defense is null ? _target : defense.Apply(_target);
        return Row(attack.Score(target, Candidates.Records, cancellationToken), defense, defense is null ? null : true);
    }

    private MembershipRow Row(MembershipScores scores, IOutputDefense? defense, bool? adaptive) =>
        new(scores, scores.Evaluate(Candidates.IsMember), scores.Roc(Candidates.IsMember), defense?.Descriptor.Name, adaptive);

    /// <inheritdoc />
    public void Dispose()
    {
        Shadows?.Dispose();
        _pool?.Dispose();
    }
}
