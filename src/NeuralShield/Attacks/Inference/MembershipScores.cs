namespace NeuralShield.Attacks.Inference;

/// <summary>
/// Per-record membership scores of candidate records (higher = more likely a member of the target's training data)
/// and the decision threshold the attack chose on its own data (score ≥ threshold ⇒ member; NaN when the attack
/// chose none). Plain arrays: nothing to dispose.
/// </summary>
/// <param name="Scores">One score per candidate, in the candidates' order.</param>
/// <param name="Threshold">The attack's decision threshold, or NaN.</param>
public sealed record MembershipScores(IReadOnlyList<double> Scores, double Threshold)
{
    /// <summary>The attack's decisions at <see cref="Threshold"/> (all false when it is NaN).</summary>
    public IReadOnlyList<bool> Predictions => Scores.Select(s => s >= Threshold).ToArray();

    /// <summary>The metrics of these scores against the true membership of the candidates.</summary>
    /// <exception cref="ArgumentException">The lengths differ or the set lacks members or non-members.</exception>
    public MembershipMetrics Evaluate(IReadOnlyList<bool> isMember) => MembershipMetrics.Of(Scores, isMember, Threshold);

    /// <summary>The ROC of these scores against the true membership.</summary>
    public RocCurve Roc(IReadOnlyList<bool> isMember) => RocCurve.Of(Scores, isMember);

    /// <summary>The metrics per class of the candidates' <paramref name="labels"/>.</summary>
    public IReadOnlyDictionary<long, MembershipMetrics> ByClass(IReadOnlyList<bool> isMember, IReadOnlyList<long> labels) =>
        MembershipMetrics.ByClass(Scores, isMember, labels, Threshold);
}

/// <summary>Membership statistics of prediction vectors: threshold scores and LiRA's logit-scaled confidence.</summary>
internal static class MembershipStatistics
{
    /// <summary>The smallest probability a logarithm is taken of (log 1e-30 ≈ −69).</summary>
    public const double Floor = 1e-30;

    /// <summary>The <paramref name="kind"/> score of one prediction vector <paramref name="p"/> with true class <paramref name="label"/>.</summary>
    public static double Score(ThresholdScore kind, ReadOnlySpan<double> p, int label) => kind switch
    {
        ThresholdScore.Loss => Math.Log(Math.Max(p[label], Floor)),
        ThresholdScore.Confidence => Max(p),
        ThresholdScore.Entropy => NegativeEntropy(p),
        ThresholdScore.ModifiedEntropy => -ModifiedEntropy(p, label),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown score."),
    };

    /// <summary>
    /// LiRA's logit-scaled confidence φ = log(p_y / (1 − p_y)) of the true class, with 1 − p_y computed as the sum of
    /// the other probabilities (no cancellation when p_y is close to 1) and both terms floored at <see cref="Floor"/>.
    /// </summary>
    public static double ScaledConfidence(ReadOnlySpan<double> p, int label) =>
        Math.Log(Math.Max(p[label], Floor)) - Math.Log(Math.Max(OneMinus(p, label), Floor));

    /// <summary>1 − p_j, as the sum of the other entries when p_j is large (exact where subtraction would cancel).</summary>
    internal static double OneMinus(ReadOnlySpan<double> p, int j)
    {
        if (p[j] < 0.5) return 1 - p[j];
        double rest = 0;
        for (var k = 0; k < p.Length; k++)
            if (k != j) rest += p[k];
        return rest;
    }

    private static double Max(ReadOnlySpan<double> p)
    {
        var m = p[0];
        foreach (var v in p) m = Math.Max(m, v);
        return m;
    }

    private static double NegativeEntropy(ReadOnlySpan<double> p)
    {
        double s = 0;
        foreach (var v in p)
            if (v > 0) s += v * Math.Log(v);
        return s;
    }

    private static double ModifiedEntropy(ReadOnlySpan<double> p, int y)
    {
        var m = -OneMinus(p, y) * Math.Log(Math.Max(p[y], Floor));
        for (var j = 0; j < p.Length; j++)
            if (j != y) m -= p[j] * Math.Log(Math.Max(OneMinus(p, j), Floor));
        return m;
    }
}
