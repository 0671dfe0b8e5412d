namespace NeuralShield.Attacks.Inference;

/// <summary>
/// A membership inference attack against a black-box classifier that learns from shadow models (or from the
/// attacker's data directly): <c>Fit(target, knowledge)</c> trains its own shadows on the attacker's data from the
/// target's distribution; <see cref="Fit(IClassifier, ShadowModelSet, RunOptions?, CancellationToken)"/> reuses a
/// set trained once and shared by several attacks. The fitted attack gives a membership score for each candidate record.
/// </summary>
public interface IMembershipInferenceAttack : IInferenceAttack<IClassifier, LabeledData, LabeledData, MembershipScores>
{
    /// <summary>How the attack's shadows are made when it trains its own; null when it fits without shadows.</summary>
    ShadowTrainingOptions? ShadowTraining { get; }

    /// <summary>Fits the attack on already trained <paramref name="shadows"/>, queried as given; the caller disposes the result and the shadows.</summary>
    IFittedInference<IClassifier, LabeledData, MembershipScores> Fit(IClassifier target, ShadowModelSet shadows, RunOptions? options = null,
        CancellationToken cancellationToken = default);
}
