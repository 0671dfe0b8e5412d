namespace NeuralShield.Attacks.Inference;

/// <summary>
/// Threshold membership inference: a record is a member when a statistic of the target's prediction vector for it is
/// high enough — minus the loss (Yeom et al., CSF 2018), the confidence, minus the entropy, or minus the modified
/// entropy (Song and Mittal, USENIX Security 2021). Threat model: black box with the true label (the confidence and
/// entropy scores do not need it). The scores need no fitting; Fit only chooses the threshold, on shadow models
/// (<see cref="ThresholdAttackOptions.Shadows"/>) or on the attacker's non-member data.
/// </summary>
/// <param name="options">The settings (default: the defaults); validated and copied.</param>
public sealed class ThresholdAttack(ThresholdAttackOptions? options = null) : ShadowMembershipAttack<ThresholdAttackOptions>(options ?? new ThresholdAttackOptions())
{
    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new($"{Settings.Score} threshold", AttackFamily.Inference, ModelAccess.Probabilities,
        Settings.Score == ThresholdScore.Loss ? Papers.Yeom2018 : Papers.SongMittal2021);

    /// <summary>The attack's score of each record of <paramref name="data"/> on <paramref name="model"/> (higher = more likely a member).</summary>
    public double[] Scores(IClassifier model, LabeledData data, CancellationToken cancellationToken = default)
    {
        var p = Predictions.Of(model, data, Settings.BatchSize, nameof(model), nameof(data), cancellationToken);
        return Score(p);
    }

    private double[] Score(Predictions p) =>
        Enumerable.Range(0, p.Count).Select(i => MembershipStatistics.Score(Settings.Score, p.Row(i), (int)p.Labels[i])).ToArray();

    /// <summary>Chooses the threshold on the target's scores of the attacker's data (<see cref="ThresholdAttackOptions.ReferenceFalsePositiveRate"/>), or none.</summary>
    protected override IFittedInference<IClassifier, LabeledData, MembershipScores> FitWithoutShadows(IClassifier target, LabeledData knowledge,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var threshold = double.NaN;
        if (Settings.ReferenceFalsePositiveRate is { } fpr)
        {
            var reference = Scores(target, knowledge, cancellationToken).OrderDescending().ToArray();
            // The smallest threshold that lets at most fpr·n reference scores reach it.
            var allowed = (int)Math.Floor(fpr * reference.Length);
            threshold = allowed >= reference.Length ? double.NegativeInfinity : Math.BitIncrement(reference[allowed]);
        }
        return new Fitted(this, threshold, target.ClassCount);
    }

    /// <summary>Chooses the threshold that best tells the shadows' in records from their out records (accuracy, over every shadow's records).</summary>
    protected override IFittedInference<IClassifier, LabeledData, MembershipScores> FitOnShadows(IClassifier target, ShadowModelSet shadows,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var scores = new List<double>();
        var members = new List<bool>();
        for (var k = 0; k < shadows.Count; k++)
        {
            foreach (var (role, member) in new[] { (ShadowRole.In, true), (ShadowRole.Out, false) })
            {
                var indices = shadows.Indices(k, role);
                if (indices.Count == 0) continue;
                using var subset = shadows.Pool.Subset(indices.Select(i => (long)i).ToArray());
                var p = Predictions.Of(shadows.Classifiers[k], subset, Settings.BatchSize, $"shadow {k}", "shadow records", cancellationToken);
                scores.AddRange(Score(p));
                members.AddRange(Enumerable.Repeat(member, p.Count));
            }
        }
        return new Fitted(this, BestThreshold(scores, members), target.ClassCount);
    }

    /// <summary>The threshold (score ≥ threshold ⇒ member) of highest accuracy on <paramref name="scores"/>; between two distinct scores, their midpoint.</summary>
    internal static double BestThreshold(IReadOnlyList<double> scores, IReadOnlyList<bool> members)
    {
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var negatives = members.Count(m => !m);
        int tp = 0, fp = 0;
        var best = (Correct: negatives, Threshold: double.PositiveInfinity);
        for (var i = 0; i < order.Length;)
        {
            var s = scores[order[i]];
            while (i < order.Length && scores[order[i]] == s)
            {
                if (members[order[i]]) tp++;
                else fp++;
                i++;
            }
            var correct = tp + (negatives - fp);
            if (correct > best.Correct)
            {
                var next = i < order.Length ? scores[order[i]] : double.NegativeInfinity;
                var middle = (s + next) / 2;
                best = (correct, double.IsFinite(middle) && middle > next && middle <= s ? middle : s);
            }
        }
        return best.Threshold;
    }

    private sealed class Fitted(ThresholdAttack attack, double threshold, int classCount) : IFittedInference<IClassifier, LabeledData, MembershipScores>
    {
        public MembershipScores Infer(IClassifier target, LabeledData candidates, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(target);
            ArgumentNullException.ThrowIfNull(candidates);
            if (target.ClassCount != classCount)
                throw new ArgumentException($"target has {target.ClassCount} classes but the attack was fitted for {classCount}.", nameof(target));
            var p = Predictions.Of(target, candidates, attack.Settings.BatchSize, nameof(target), nameof(candidates), cancellationToken);
            return new MembershipScores(attack.Score(p), threshold);
        }

        public void Dispose() { }
    }
}
