namespace NeuralShield.Metrics;

/// <summary>
/// Summary numbers of a membership inference run on a labelled member/non-member set: the threshold-free ROC numbers
/// (AUC, TPR at 1% and 0.1% FPR, membership advantage) and, at the attack's threshold (score ≥ threshold ⇒ member),
/// accuracy, precision and recall. On a balanced set chance is 0.5 for accuracy, precision and AUC.
/// </summary>
/// <param name="Members">Members in the evaluation set.</param>
/// <param name="NonMembers">Non-members in the evaluation set.</param>
/// <param name="Auc">Area under the ROC (trapezoid; ties count one half).</param>
/// <param name="Accuracy">Share of records whose prediction at <paramref name="Threshold"/> is right (NaN without a threshold).</param>
/// <param name="Precision">Share of predicted members that are members (NaN when none is predicted, or without a threshold).</param>
/// <param name="Recall">Share of members predicted members (NaN without a threshold).</param>
/// <param name="Threshold">The decision threshold the attack chose on its own data (NaN when it chose none).</param>
/// <param name="TprAt1PctFpr">The largest TPR with FPR ≤ 1% (<see cref="RocCurve.TprAtFpr"/>).</param>
/// <param name="TprAt01PctFpr">The largest TPR with FPR ≤ 0.1%.</param>
/// <param name="Advantage">Membership advantage: max over thresholds of TPR − FPR.</param>
public readonly record struct MembershipMetrics(
    int Members, int NonMembers, double Auc, double Accuracy, double Precision, double Recall, double Threshold,
    double TprAt1PctFpr, double TprAt01PctFpr, double Advantage)
{
    /// <summary>The metrics of <paramref name="scores"/> against <paramref name="isMember"/> at <paramref name="threshold"/> (NaN: threshold-free numbers only).</summary>
    /// <exception cref="ArgumentException">See <see cref="RocCurve.Of"/>.</exception>
    public static MembershipMetrics Of(IReadOnlyList<double> scores, IReadOnlyList<bool> isMember, double threshold)
    {
        var roc = RocCurve.Of(scores, isMember);
        return From(roc, scores, isMember, threshold);
    }

    /// <summary>The metrics of each class slice (records whose label is the class), for the classes with both members and non-members.</summary>
    /// <param name="scores">Membership scores.</param>
    /// <param name="isMember">True membership.</param>
    /// <param name="labels">Each record's class.</param>
    /// <param name="threshold">The decision threshold (NaN: threshold-free numbers only).</param>
    /// <exception cref="ArgumentException">See <see cref="RocCurve.Of"/>; or <paramref name="labels"/> has another length.</exception>
    public static IReadOnlyDictionary<long, MembershipMetrics> ByClass(IReadOnlyList<double> scores, IReadOnlyList<bool> isMember, IReadOnlyList<long> labels, double threshold)
    {
        Check(scores, isMember);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != scores.Count)
            throw new ArgumentException($"labels must give one class per score: {scores.Count} scores, {labels.Count} labels.", nameof(labels));
        var result = new SortedDictionary<long, MembershipMetrics>();
        foreach (var group in Enumerable.Range(0, scores.Count).GroupBy(i => labels[i]))
        {
            var s = group.Select(i => scores[i]).ToArray();
            var m = group.Select(i => isMember[i]).ToArray();
            if (m.All(x => x) || !m.Any(x => x)) continue;
            result[group.Key] = Of(s, m, threshold);
        }
        return result;
    }

    private static MembershipMetrics From(RocCurve roc, IReadOnlyList<double> scores, IReadOnlyList<bool> isMember, double threshold)
    {
        double accuracy = double.NaN, precision = double.NaN, recall = double.NaN;
        if (!double.IsNaN(threshold))
        {
            int tp = 0, fp = 0, tn = 0, fn = 0;
            for (var i = 0; i < scores.Count; i++)
            {
                var predicted = scores[i] >= threshold;
                if (predicted && isMember[i]) tp++;
                else if (predicted) fp++;
                else if (isMember[i]) fn++;
                else tn++;
            }
            accuracy = (double)(tp + tn) / scores.Count;
            precision = tp + fp == 0 ? double.NaN : (double)tp / (tp + fp);
            recall = (double)tp / (tp + fn);
        }
        return new MembershipMetrics(roc.Members, roc.NonMembers, roc.Auc, accuracy, precision, recall, threshold,
            roc.TprAtFpr(0.01), roc.TprAtFpr(0.001), roc.Advantage);
    }

    internal static void Check(IReadOnlyList<double> scores, IReadOnlyList<bool> isMember)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(isMember);
        if (scores.Count != isMember.Count)
            throw new ArgumentException($"isMember must give one membership per score: {scores.Count} scores, {isMember.Count} memberships.", nameof(isMember));
        for (var i = 0; i < scores.Count; i++)
            if (double.IsNaN(scores[i])) throw new ArgumentException($"scores holds NaN (first at record {i}); membership scores must be numbers.", nameof(scores));
        var members = isMember.Count(m => m);
        if (members == 0 || members == isMember.Count)
            throw new ArgumentException(
                $"isMember must hold both members and non-members to evaluate an attack; got {members} members of {isMember.Count} records (one class only).", nameof(isMember));
    }
}
