namespace NeuralShield.Attacks.Inference;

/// <summary>LiRA fitted on a pool: the Gaussians of every pool record. Holds no tensors.</summary>
public sealed class FittedLira : IFittedInference<IClassifier, LabeledData, MembershipScores>
{
    private readonly IReadOnlyList<LiraGaussians> _fits;
    private readonly RowIndex _pool;
    private readonly LiraOptions _options;

    internal FittedLira(IReadOnlyList<LiraGaussians> fits, RowIndex pool, LiraOptions options, int shadowCount, int classCount)
    {
        _fits = fits;
        _pool = pool;
        _options = options;
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
        var indices = _pool.Find(candidates, nameof(candidates));
        var p = Predictions.Of(target, candidates, _options.BatchSize, nameof(target), nameof(candidates), cancellationToken);
        var scores = new double[p.Count];
        for (var i = 0; i < p.Count; i++)
        {
            var phi = MembershipStatistics.ScaledConfidence(p.Row(i), (int)p.Labels[i]);
            var fit = _fits[indices[i]];
            scores[i] = variant == LiraVariant.Online ? fit.Online(phi) : fit.Offline(phi);
        }
        return new MembershipScores(scores, 0);
    }

    /// <inheritdoc />
    public void Dispose() { }
}
