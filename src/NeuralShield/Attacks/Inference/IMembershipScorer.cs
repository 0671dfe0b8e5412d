namespace NeuralShield.Attacks.Inference;

/// <summary>A membership inference attack that learns nothing first: it scores candidates from the target's answers alone.</summary>
public interface IMembershipScorer : IAttack
{
    /// <summary>The membership score of each record of <paramref name="candidates"/> (higher = more likely a member).</summary>
    MembershipScores Score(IClassifier target, LabeledData candidates, CancellationToken cancellationToken = default);
}
