using NeuralShield.Attacks;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Data;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// SPECTRE (Hayase, Kong, Somani, Oh 2021): spectral signatures made robust for a large poisoned share. For each
/// inspected class (by label), the learned representations are reduced to their top k principal components; the clean
/// covariance is estimated robustly (the filter of Diakonikolas et al. 2017, discarding at most 2·ε·n points), the
/// representations are whitened by it, so that the clean points look isotropic and the poison stands out in every direction
/// it moves, and each point is scored by quantum entropy (QUE, Dong, Hopkins, Li 2019): xᵀMx with
/// M ∝ exp(α (Σ − I) / (‖Σ‖ − 1)), Σ the covariance of the whitened points. The 1.5·ε·n highest scores of the class are
/// removed. With k = 1 the score is the spectral signature's. k is chosen per class as the authors' code does: among
/// k = 1, 4, …, 100, the one whose kept points leave the rest of the class most anomalous (the largest QUE-weighted
/// spectral norm of the class whitened by the kept points' covariance).
/// </summary>
public sealed class Spectre : IDataDefense<SanitizationReport>
{
    private readonly SpectreOptions _options;
    private readonly ITorchModel _model;

    /// <summary>Creates the defense over <paramref name="model"/> (trained on the data to inspect; not owned).</summary>
    public Spectre(ITorchModel model, SpectreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = (options ?? new SpectreOptions()).Validated();
    }

    /// <summary>A copy of the settings.</summary>
    public SpectreOptions Options => _options.Copy();

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("SPECTRE", DefenseKind.Data, Papers.Hayase2021, [AttackFamily.Poisoning]);

    /// <summary>The number of principal components used for each class in the last inspection (0: not inspected).</summary>
    public IReadOnlyList<int> LastDimensions { get; private set; } = [];

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The class to inspect is not a class of <paramref name="data"/>.</exception>
    public SanitizationReport Inspect(LabeledData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_options.Class is { } only && only >= data.ClassCount)
            throw new ArgumentException($"SpectreOptions.Class is {only}; the data has {data.ClassCount} classes.", nameof(data));
        using var representations = Sanitizers.Representation(_model, data.Features, _options.LayerFromEnd);
        using var all = representations.to_type(ScalarType.Float64).cpu();
        var scores = new double[data.Count];
        var flagged = new List<long>();
        var dimensions = new int[data.ClassCount];
        foreach (var (members, label) in Sanitizers.ByClass(data).Select((m, c) => (m, c)))
        {
            if (_options.Class is { } c && c != label) continue;
            cancellationToken.ThrowIfCancellationRequested();
            var poison = (int)Math.Round(_options.Epsilon * members.Count);
            if (members.Count < 4 || poison == 0) continue;
            using var index = tensor(members.Select(i => (long)i).ToArray());
            using var rows = all.index_select(0, index);
            var (classScores, k) = Score(rows, poison, cancellationToken);
            dimensions[label] = k;
            for (var j = 0; j < members.Count; j++) scores[members[j]] = classScores[j];
            var remove = Math.Min(members.Count, (int)Math.Round(_options.RemovalFactor * poison));
            flagged.AddRange(Enumerable.Range(0, members.Count).OrderByDescending(j => classScores[j]).ThenBy(j => j).Take(remove).Select(j => (long)members[j]));
        }
        LastDimensions = dimensions;
        flagged.Sort();
        return new SanitizationReport(Descriptor.Name, flagged, Sanitizers.Without(data, flagged), SanitizeAction.Remove, scores);
    }

    /// <summary>
    /// The QUE scores of one class's representations ([n, D] float64) with <paramref name="poison"/> = ε·n, and the k used
    /// (fixed, or chosen as the authors do).
    /// </summary>
    internal (double[] Scores, int Dimensions) Score(Tensor rows, int poison, CancellationToken cancellationToken = default)
    {
        var n = (int)rows.shape[0];
        var removed = Math.Min(n, (int)Math.Round(_options.RemovalFactor * poison));
        if (_options.Dimensions is { } fixedK)
            return (ScoresAt(rows, Math.Min(fixedK, Rank(rows)), poison, cancellationToken), Math.Min(fixedK, Rank(rows)));
        var rank = Rank(rows);
        var judge = Math.Min(_options.MaxDimensions, rank);
        var (space, _) = RobustCovariance.Pca(rows, judge);
        using var _space = space;
        double[]? best = null;
        var bestK = 0;
        var bestExcess = double.NegativeInfinity;
        for (var root = 1; root * root <= judge; root++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var k = root * root;
            var s = ScoresAt(rows, k, poison, cancellationToken);
            var kept = Enumerable.Range(0, n).OrderByDescending(j => s[j]).ThenBy(j => j).Skip(removed).Order().Select(j => (long)j).ToArray();
            var excess = Excess(space, kept);
            if (excess > bestExcess) (best, bestK, bestExcess) = (s, k, excess);
        }
        return (best!, bestK);
    }

    // The QUE scores of the class at k components: PCA to k, robust covariance of the filtered points, whitening, QUE.
    private double[] ScoresAt(Tensor rows, int k, int poison, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var n = rows.shape[0];
        var (projected, _) = RobustCovariance.Pca(rows, k);
        if (k == 1) return RobustCovariance.QueScores(projected, ones(1, 1, dtype: ScalarType.Float64));
        var keep = RobustCovariance.Filter(projected, poison / (double)n, _options.Tau, (int)Math.Round(_options.FilterLimitFactor * poison), cancellationToken);
        var selected = projected.index_select(0, tensor(Enumerable.Range(0, keep.Length).Where(i => keep[i]).Select(i => (long)i).ToArray()));
        var whitened = projected.mm(RobustCovariance.InverseSqrt(RobustCovariance.Covariance(selected, corrected: false)));
        var m = RobustCovariance.QueMatrix(RobustCovariance.Covariance(whitened, corrected: true), _options.Alpha);
        return RobustCovariance.QueScores(whitened, m);
    }

    // How anomalous the whole class looks whitened by the covariance of the points kept: tr(Σ M) / tr(M) (M: Σ's QUE matrix).
    private double Excess(Tensor space, long[] kept)
    {
        using var scope = NewDisposeScope();
        var covariance = RobustCovariance.Covariance(space.index_select(0, tensor(kept)), corrected: true);
        var sigma = RobustCovariance.Covariance(space.mm(RobustCovariance.InverseSqrt(covariance)), corrected: true);
        var m = RobustCovariance.QueMatrix(sigma, _options.Alpha);
        return (sigma.mm(m).trace() / m.trace()).item<double>();
    }

    // The number of principal directions with variance above 1e-9 of the largest (dead units add none).
    private static int Rank(Tensor rows)
    {
        var (projected, singular) = RobustCovariance.Pca(rows, 1);
        projected.Dispose();
        return Math.Max(1, singular.Count(s => s > 1e-9 * singular[0]));
    }
}
