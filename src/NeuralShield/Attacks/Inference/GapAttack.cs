namespace NeuralShield.Attacks.Inference;

/// <summary>
/// The gap attack (Yeom et al., CSF 2018): a record is a member iff the target labels it correctly. Threat model:
/// label only — it needs nothing but the predicted label, so output restrictions down to the label do not stop it. On
/// a balanced set its accuracy (and AUC) is 0.5 + (train accuracy − test accuracy) / 2.
/// </summary>
public sealed class GapAttack : IMembershipScorer
{
    /// <summary>Records per query. Default 1024.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <inheritdoc />
    public AttackDescriptor Descriptor => new("Gap attack (label only)", AttackFamily.Inference, ModelAccess.LabelOnly, Papers.Yeom2018);

    /// <summary>1 for each candidate the target labels correctly, 0 otherwise; the threshold is 0.5.</summary>
    public MembershipScores Score(IClassifier target, LabeledData candidates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(candidates);
        Guard.Positive(BatchSize, nameof(BatchSize));
        var p = Predictions.Of(target, candidates, BatchSize, nameof(target), nameof(candidates), cancellationToken);
        var scores = new double[p.Count];
        for (var i = 0; i < p.Count; i++)
        {
            var row = p.Row(i);
            var argmax = 0;
            for (var j = 1; j < row.Length; j++)
                if (row[j] > row[argmax]) argmax = j;
            scores[i] = argmax == p.Labels[i] ? 1 : 0;
        }
        return new MembershipScores(scores, 0.5);
    }
}
