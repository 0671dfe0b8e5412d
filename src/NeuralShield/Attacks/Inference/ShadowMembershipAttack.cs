using NeuralShield.Defenses.Output;

namespace NeuralShield.Attacks.Inference;

/// <summary>
/// The shared core of the membership inference attacks that learn from shadow models (Shokri et al.'s attack models,
/// LiRA's Gaussians, a threshold chosen on shadows): training or reusing the shadows, the class checks, and the view
/// of the shadows through the target's output defense. An attacker who faces a defended model is assumed to know the
/// defense: <see cref="Fit(IClassifier, LabeledData, RunOptions?, CancellationToken)"/> queries its shadows
/// through the output defense the target answers through (<see cref="OutputDefenses.Find"/>), so shadows and target
/// reveal the same kind of output (the adaptive attacker). <see cref="Fit(IClassifier, ShadowModelSet, RunOptions?, CancellationToken)"/>
/// uses the shadows exactly as given: pass <see cref="ShadowModelSet.WithOutputDefense"/> for the adaptive attacker,
/// the set as trained for the attacker who ignores the defense.
/// </summary>
public abstract class ShadowMembershipAttack : IMembershipInferenceAttack
{
    /// <inheritdoc />
    public abstract AttackDescriptor Descriptor { get; }

    /// <summary>How the attack's shadows are made when it trains its own; null when it fits without shadows.</summary>
    public abstract ShadowTrainingOptions? ShadowTraining { get; }

    /// <summary>
    /// Trains the shadows of <see cref="ShadowTraining"/> on <paramref name="knowledge"/> (the attacker's data), views them
    /// through the target's output defense when it has one, and fits the attack on them; the shadows are disposed before
    /// returning. An attack without shadows fits on <paramref name="knowledge"/> directly.
    /// </summary>
    /// <exception cref="ArgumentException">The target's class count differs from the data's.</exception>
    public IFittedInference<IClassifier, LabeledData, MembershipScores> Fit(IClassifier target, LabeledData knowledge, RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var progress = options?.Messages;
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(knowledge);
        if (target.ClassCount != knowledge.ClassCount)
            throw new ArgumentException($"target has {target.ClassCount} classes but the attacker's data (and so the shadows) {knowledge.ClassCount}.", nameof(target));
        if (ShadowTraining is not { } shadowTraining) return FitWithoutShadows(target, knowledge, progress, cancellationToken);
        using var shadows = ShadowModelSet.Train(knowledge, shadowTraining, options, cancellationToken);
        var defense = OutputDefenses.Find(target);
        using var view = defense is null ? null : shadows.WithOutputDefense(defense);
        return FitOnShadows(target, view ?? shadows, progress, cancellationToken);
    }

    /// <summary>Fits the attack on already trained <paramref name="shadows"/>, queried as given (see the class remarks on defended targets).</summary>
    /// <exception cref="ArgumentException">The shadow set is empty, or its class count differs from the target's.</exception>
    public IFittedInference<IClassifier, LabeledData, MembershipScores> Fit(IClassifier target, ShadowModelSet shadows, RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var progress = options?.Messages;
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(shadows);
        if (shadows.Count == 0) throw new ArgumentException("The shadow set is empty: the attack needs at least one shadow model.", nameof(shadows));
        if (target.ClassCount != shadows.ClassCount)
            throw new ArgumentException($"target has {target.ClassCount} classes but the shadow models {shadows.ClassCount}.", nameof(target));
        return FitOnShadows(target, shadows, progress, cancellationToken);
    }

    /// <summary>The attack's fit on checked, non-empty shadows of the target's class count.</summary>
    protected abstract IFittedInference<IClassifier, LabeledData, MembershipScores> FitOnShadows(IClassifier target, ShadowModelSet shadows,
        IProgress<string>? progress, CancellationToken cancellationToken);

    /// <summary>The attack's fit when <see cref="ShadowTraining"/> is null; attacks that always train shadows never reach it.</summary>
    protected virtual IFittedInference<IClassifier, LabeledData, MembershipScores> FitWithoutShadows(IClassifier target, LabeledData knowledge,
        IProgress<string>? progress, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{GetType().Name} has no shadow training options.");
}
