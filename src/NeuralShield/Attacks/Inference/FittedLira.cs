namespace NeuralShield.Attacks.Inference;

/// <summary>
/// LiRA fitted on a pool: the Gaussians of every pool record. Holds no tensors. Fitted on a shared shadow set
/// (<see cref="ShadowMembershipAttack.Fit(IClassifier, ShadowModelSet, RunOptions?, CancellationToken)"/>), it also
/// scores records outside the pool while that set lives: their out Gaussian from the shadows' answers (none trained on
/// them), their in mean shifted by the pool's mean in − out difference, with the pooled variances.
/// </summary>
public sealed class FittedLira : IFittedInference<IClassifier, LabeledData, MembershipScores>
{
    private readonly IReadOnlyList<LiraGaussians> _fits;
    private readonly RowIndex _pool;
    private readonly LiraOptions _options;
    private readonly OutsidePool? _outside;

    /// <summary>What scores a record outside the pool: the shadow set (not owned), the pooled variances and the in − out shift.</summary>
    internal sealed record OutsidePool(ShadowModelSet Set, double VarianceIn, double VarianceOut, double Shift, LiraVariance Variance)
    {
        public IReadOnlyList<IClassifier> Shadows => Set.Classifiers;
    }

    /// <summary>The shadows that score records outside the pool, while their set lives (null once it is disposed, or without a set).</summary>
    private OutsidePool? Live => _outside is { Set.IsDisposed: false } o ? o : null;

    internal FittedLira(IReadOnlyList<LiraGaussians> fits, RowIndex pool, LiraOptions options, int shadowCount, int classCount, OutsidePool? outside = null)
    {
        _fits = fits;
        _pool = pool;
        _options = options;
        _outside = outside;
        ShadowCount = shadowCount;
        ClassCount = classCount;
    }

    /// <summary>Number of shadow models fitted on.</summary>
    public int ShadowCount { get; }

    /// <summary>The class count of the shadows.</summary>
    public int ClassCount { get; }

    /// <summary>The Gaussian fits, one per pool record.</summary>
    public IReadOnlyList<LiraGaussians> Fits => _fits;

    /// <summary>Scores the candidates with the options' variant.</summary>
    public MembershipScores Infer(IClassifier target, LabeledData candidates, CancellationToken cancellationToken = default) =>
        Infer(target, candidates, _options.Variant, cancellationToken);

    /// <summary>
    /// Scores each candidate (a record of the pool, found by its features and label) by <paramref name="variant"/>:
    /// online, the log likelihood ratio (threshold 0: in at least as likely as out); offline, (φ − μ_out) / σ_out
    /// (threshold 0: above the out mean).
    /// </summary>
    /// <exception cref="ArgumentException">A candidate is not in the pool, the target's class count differs, or it answers a non-finite probability.</exception>
    public MembershipScores Infer(IClassifier target, LabeledData candidates, LiraVariant variant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(candidates);
        Guard.Defined(variant, nameof(variant));
        if (target.ClassCount != ClassCount)
            throw new ArgumentException($"target has {target.ClassCount} classes but the shadow models {ClassCount}.", nameof(target));
        if (candidates.ClassCount != ClassCount)
            throw new ArgumentException($"candidates have {candidates.ClassCount} classes but the shadow models {ClassCount}.", nameof(candidates));
        var indices = _pool.Find(candidates, nameof(candidates), outsideAllowed: Live is not null);
        var outside = Outside(candidates, indices, cancellationToken);
        var p = Predictions.Of(target, candidates, _options.BatchSize, nameof(target), nameof(candidates), cancellationToken);
        var scores = new double[p.Count];
        for (var i = 0; i < p.Count; i++)
        {
            var phi = MembershipStatistics.ScaledConfidence(p.Row(i), (int)p.Labels[i]);
            var fit = indices[i] >= 0 ? _fits[indices[i]] : outside[i];
            scores[i] = variant == LiraVariant.Online ? fit.Online(phi) : fit.Offline(phi);
        }
        return new MembershipScores(scores, 0);
    }

    /// <summary>The Gaussians of the candidates outside the pool (index −1), from the shadows' answers on them; the others' entries are unused.</summary>
    private LiraGaussians[] Outside(LabeledData candidates, int[] indices, CancellationToken cancellationToken)
    {
        var result = new LiraGaussians[indices.Length];
        var missing = Enumerable.Range(0, indices.Length).Where(i => indices[i] < 0).ToArray();
        if (missing.Length == 0 || Live is not { } o) return result;
        using var records = candidates.Subset(missing.Select(i => (long)i).ToArray());
        var phi = o.Shadows.Select((shadow, k) =>
        {
            var p = Predictions.Of(shadow, records, _options.BatchSize, $"shadow {k}", nameof(candidates), cancellationToken);
            return Enumerable.Range(0, p.Count).Select(i => MembershipStatistics.ScaledConfidence(p.Row(i), (int)p.Labels[i])).ToArray();
        }).ToArray();
        for (var j = 0; j < missing.Length; j++)
        {
            var values = phi.Select(row => row[j]).ToArray();
            var mean = values.Average();
            var variance = o.Variance == LiraVariance.Global || values.Length < 2
                ? o.VarianceOut
                : Math.Max(values.Sum(v => (v - mean) * (v - mean)) / values.Length, Lira.VarianceFloor);
            result[missing[j]] = new LiraGaussians(mean + o.Shift, o.VarianceIn, mean, variance, 0, values.Length);
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose() { }
}
