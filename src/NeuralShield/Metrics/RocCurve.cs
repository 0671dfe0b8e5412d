namespace NeuralShield.Metrics;

/// <summary>
/// The ROC of membership scores (higher = more likely a member) against the true membership: one point per distinct
/// score, from (0, 0) to (1, 1), sorted by false-positive rate with both rates non-decreasing. Tied scores form one
/// step, so the trapezoid area (<see cref="Auc"/>) equals the Mann–Whitney statistic with ties counted one half.
/// The curve is data a report can plot: <see cref="Points"/> on a linear axis, <see cref="OnLogGrid"/> for a
/// log-scaled false-positive axis.
/// </summary>
public sealed class RocCurve
{
    private readonly RocPoint[] _points;

    private RocCurve(RocPoint[] points, int members, int nonMembers)
    {
        _points = points;
        Members = members;
        NonMembers = nonMembers;
    }

    /// <summary>The curve's points, (0, 0) first and (1, 1) last, false-positive and true-positive rates non-decreasing.</summary>
    public IReadOnlyList<RocPoint> Points => _points;

    /// <summary>Number of members (positives).</summary>
    public int Members { get; }

    /// <summary>Number of non-members (negatives).</summary>
    public int NonMembers { get; }

    /// <summary>The area under the curve by the trapezoid rule, in [0, 1]; 0.5 is chance.</summary>
    public double Auc
    {
        get
        {
            double area = 0;
            for (var i = 1; i < _points.Length; i++)
                area += (_points[i].FalsePositiveRate - _points[i - 1].FalsePositiveRate) * (_points[i].TruePositiveRate + _points[i - 1].TruePositiveRate) / 2;
            return Math.Clamp(area, 0, 1);
        }
    }

    /// <summary>The membership advantage max(TPR − FPR) over the curve (Yeom et al. 2018), in [0, 1].</summary>
    public double Advantage => _points.Max(p => p.TruePositiveRate - p.FalsePositiveRate);

    /// <summary>
    /// The true-positive rate at false-positive rate <paramref name="fpr"/>: the largest TPR among the points whose FPR
    /// is at most <paramref name="fpr"/> (no interpolation, as Carlini et al. 2022 report it). With N non-members, a
    /// target below 1/N is met only by the points with no false positive.
    /// </summary>
    public double TprAtFpr(double fpr)
    {
        if (!(fpr >= 0 && fpr <= 1)) throw new ArgumentOutOfRangeException(nameof(fpr), fpr, "fpr must lie in [0, 1].");
        var best = 0.0;
        foreach (var p in _points)
        {
            if (p.FalsePositiveRate > fpr + 1e-12) break;
            best = Math.Max(best, p.TruePositiveRate);
        }
        return best;
    }

    /// <summary>The operating point (largest TPR with FPR at most the target) at each of <paramref name="fprs"/>.</summary>
    public IReadOnlyList<RocPoint> At(IEnumerable<double> fprs)
    {
        ArgumentNullException.ThrowIfNull(fprs);
        return fprs.Select(f =>
        {
            var tpr = TprAtFpr(f);
            var threshold = _points.Where(p => p.FalsePositiveRate <= f + 1e-12 && p.TruePositiveRate == tpr).Select(p => p.Threshold).DefaultIfEmpty(double.PositiveInfinity).Max();
            return new RocPoint(f, tpr, threshold);
        }).ToArray();
    }

    /// <summary>
    /// The curve on a log-scaled false-positive axis: <paramref name="pointsPerDecade"/> FPRs per decade from
    /// <paramref name="minFpr"/> to 1, each with the largest TPR at or below it (<see cref="At"/>).
    /// </summary>
    public IReadOnlyList<RocPoint> OnLogGrid(double minFpr = 1e-4, int pointsPerDecade = 10)
    {
        if (!(minFpr > 0 && minFpr < 1)) throw new ArgumentOutOfRangeException(nameof(minFpr), minFpr, "minFpr must lie in (0, 1).");
        if (pointsPerDecade < 1) throw new ArgumentOutOfRangeException(nameof(pointsPerDecade), pointsPerDecade, "pointsPerDecade must be positive.");
        var decades = -Math.Log10(minFpr);
        var count = (int)Math.Ceiling(decades * pointsPerDecade);
        var grid = Enumerable.Range(0, count + 1).Select(i => Math.Pow(10, -decades + decades * i / count));
        return At(grid);
    }

    /// <summary>The curve as CSV text (<c>fpr,tpr,threshold</c>), one line per point, for plotting.</summary>
    public string ToCsv() =>
        "fpr,tpr,threshold" + Environment.NewLine + string.Join(Environment.NewLine,
            _points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.FalsePositiveRate:R},{p.TruePositiveRate:R},{p.Threshold:R}")));

    /// <summary>The ROC of <paramref name="scores"/> against <paramref name="isMember"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The lengths differ, a score is NaN (±∞ are allowed: they rank first or last), or the set lacks members or
    /// non-members (the curve needs both).
    /// </exception>
    public static RocCurve Of(IReadOnlyList<double> scores, IReadOnlyList<bool> isMember)
    {
        MembershipMetrics.Check(scores, isMember);
        var n = scores.Count;
        var order = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ToArray();
        int members = isMember.Count(m => m), nonMembers = n - members;
        var points = new List<RocPoint> { new(0, 0, double.PositiveInfinity) };
        int tp = 0, fp = 0;
        for (var i = 0; i < n;)
        {
            var s = scores[order[i]];
            // One step per group of tied scores: a threshold cannot separate them.
            while (i < n && scores[order[i]] == s)
            {
                if (isMember[order[i]]) tp++;
                else fp++;
                i++;
            }
            points.Add(new RocPoint((double)fp / nonMembers, (double)tp / members, s));
        }
        return new RocCurve(points.ToArray(), members, nonMembers);
    }
}
