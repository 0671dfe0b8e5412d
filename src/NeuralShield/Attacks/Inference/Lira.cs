namespace NeuralShield.Attacks.Inference;

/// <summary>
/// The likelihood-ratio attack LiRA (Carlini, Chien, Nasr, Song, Terzis, Tramèr, IEEE S&amp;P 2022, arXiv 2112.03570).
/// Threat model: black box with the true label; the attacker knows the candidates and holds a pool of data that
/// contains them (the target's training set is a part of such a pool), and trains shadows like the target. Fit
/// trains k shadows on random halves of the pool (each record in exactly half of them) and computes, for every pool
/// record and shadow, the logit-scaled confidence φ = log(p_y / (1 − p_y)); per record, a Gaussian is fitted to φ over
/// the shadows that trained on it (in) and one over those that did not (out). Infer scores a candidate by the
/// likelihood ratio of the target's φ under the two (online) or by a one-sided test against the out Gaussian
/// (offline). With few shadows (&lt; 64) a global variance is used, as the paper advises. Not done here: the
/// paper's query augmentations (flips, shifts), which apply to images only.
/// </summary>
/// <param name="options">The settings; validated and copied.</param>
public sealed class Lira(LiraOptions options) : ShadowMembershipAttack<LiraOptions>(options)
{
    /// <inheritdoc />
    public override AttackDescriptor Descriptor => new($"LiRA ({Settings.Variant.ToString().ToLowerInvariant()})", AttackFamily.Inference, ModelAccess.Probabilities, Papers.Carlini2022);

    /// <summary>Fits the Gaussians on already trained shadows (records a shadow neither trained on nor held out are ignored for it).</summary>
    /// <exception cref="ArgumentException">The shadow set is empty, or its class count differs from the target's.</exception>
    protected override IFittedInference<IClassifier, LabeledData, MembershipScores> FitOnShadows(IClassifier target, ShadowModelSet shadows,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var n = shadows.Pool.Count;
        var phi = new double[shadows.Count][];
        var inMask = new bool[shadows.Count][];
        var used = new bool[shadows.Count][];
        for (var k = 0; k < shadows.Count; k++)
        {
            var p = Predictions.Of(shadows.Classifiers[k], shadows.Pool, Settings.BatchSize, $"shadow {k}", "pool", cancellationToken);
            phi[k] = Enumerable.Range(0, n).Select(i => MembershipStatistics.ScaledConfidence(p.Row(i), (int)p.Labels[i])).ToArray();
            inMask[k] = Enumerable.Range(0, n).Select(i => shadows.Role(k, i) == ShadowRole.In).ToArray();
            used[k] = Enumerable.Range(0, n).Select(i => shadows.Role(k, i) != ShadowRole.Unused).ToArray();
        }
        var variance = Settings.Variance switch
        {
            LiraVariance.Auto => shadows.Count < 64 ? LiraVariance.Global : LiraVariance.PerExample,
            var v => v,
        };
        var fits = FitGaussians(phi, inMask, used, variance, out var global, out var shift);
        // Records outside the pool are scored from the shadows themselves (all of them out) while the set lives.
        var outside = new FittedLira.OutsidePool(shadows, global[0], global[1], shift, variance);
        return new FittedLira(fits, RowIndex.Of(shadows.Pool), Settings, shadows.Count, shadows.ClassCount, outside);
    }

    /// <summary>
    /// The Gaussian fits per example of φ values [shadows][examples] with in-membership [shadows][examples] (and,
    /// optionally, which values count at all). Means are plain means; variances are population variances per
    /// example, or pooled over examples (<see cref="LiraVariance.Global"/>, also used for an example with fewer than
    /// two values on a side). An example with no value on one side gets that side's mean shifted by the mean
    /// in − out difference over the examples that have both.
    /// </summary>
    public static IReadOnlyList<LiraGaussians> FitGaussians(IReadOnlyList<double[]> phi, IReadOnlyList<bool[]> isIn, IReadOnlyList<bool[]>? used = null, LiraVariance variance = LiraVariance.PerExample) =>
        FitGaussians(phi, isIn, used, variance, out _, out _);

    /// <summary><see cref="FitGaussians(IReadOnlyList{double[]}, IReadOnlyList{bool[]}, IReadOnlyList{bool[]}?, LiraVariance)"/>, and the pooled variances (in, out) and the mean in − out shift it used.</summary>
    internal static IReadOnlyList<LiraGaussians> FitGaussians(IReadOnlyList<double[]> phi, IReadOnlyList<bool[]> isIn, IReadOnlyList<bool[]>? used, LiraVariance variance,
        out double[] global, out double shift)
    {
        ArgumentNullException.ThrowIfNull(phi);
        ArgumentNullException.ThrowIfNull(isIn);
        if (phi.Count == 0) throw new ArgumentException("phi must hold the values of at least one shadow model.", nameof(phi));
        if (isIn.Count != phi.Count) throw new ArgumentException($"isIn must have one row per shadow ({phi.Count}); got {isIn.Count}.", nameof(isIn));
        var n = phi[0].Length;
        if (phi.Any(r => r.Length != n) || isIn.Any(r => r.Length != n) || (used is not null && (used.Count != phi.Count || used.Any(r => r.Length != n))))
            throw new ArgumentException("phi, isIn and used must all be [shadows][examples] of one size.", nameof(isIn));
        if (phi.Any(r => r.Any(v => !double.IsFinite(v)))) throw new ArgumentException("phi must hold finite values.", nameof(phi));
        var k = phi.Count;
        var stats = new (double Mean, double SumSq, int Count)[n, 2];
        for (var i = 0; i < n; i++)
        {
            for (var side = 0; side < 2; side++)
            {
                double sum = 0;
                var count = 0;
                for (var s = 0; s < k; s++)
                    if ((used?[s][i] ?? true) && isIn[s][i] == (side == 0)) { sum += phi[s][i]; count++; }
                var mean = count > 0 ? sum / count : double.NaN;
                double sq = 0;
                for (var s = 0; s < k; s++)
                    if ((used?[s][i] ?? true) && isIn[s][i] == (side == 0)) sq += (phi[s][i] - mean) * (phi[s][i] - mean);
                stats[i, side] = (mean, sq, count);
            }
        }
        global = new double[2];
        for (var side = 0; side < 2; side++)
        {
            double sq = 0;
            long count = 0;
            for (var i = 0; i < n; i++)
            {
                if (stats[i, side].Count == 0) continue;
                sq += stats[i, side].SumSq;
                count += stats[i, side].Count;
            }
            global[side] = Math.Max(count > 0 ? sq / count : 1, VarianceFloor);
        }
        var both = Enumerable.Range(0, n).Where(i => stats[i, 0].Count > 0 && stats[i, 1].Count > 0).ToArray();
        shift = both.Length > 0 ? both.Average(i => stats[i, 0].Mean - stats[i, 1].Mean) : 0;
        var globalVariance = global;
        var fits = new LiraGaussians[n];
        for (var i = 0; i < n; i++)
        {
            var (mi, si, ci) = stats[i, 0];
            var (mo, so, co) = stats[i, 1];
            if (ci == 0 && co == 0) throw new ArgumentException($"Example {i} has no shadow value at all.", nameof(used));
            if (ci == 0) mi = mo + shift;
            if (co == 0) mo = mi - shift;
            double Var(double sumSq, int count, int side) =>
                variance == LiraVariance.Global || count < 2 ? globalVariance[side] : Math.Max(sumSq / count, VarianceFloor);
            fits[i] = new LiraGaussians(mi, Var(si, ci, 0), mo, Var(so, co, 1), ci, co);
        }
        return fits;
    }

    /// <summary>The smallest variance a Gaussian fit is given (shadows that agree exactly would otherwise give zero).</summary>
    public const double VarianceFloor = 1e-8;
}

/// <summary>Finds records of a pool by their features and label (exact float equality).</summary>
internal sealed class RowIndex
{
    private readonly float[] _features;
    private readonly long[] _labels;
    private readonly int _width;
    private readonly Dictionary<int, List<int>> _byHash = new();

    private RowIndex(float[] features, long[] labels, int width)
    {
        _features = features;
        _labels = labels;
        _width = width;
        for (var i = 0; i < labels.Length; i++)
        {
            var h = Hash(features.AsSpan(i * width, width), labels[i]);
            if (!_byHash.TryGetValue(h, out var list)) _byHash[h] = list = [];
            list.Add(i);
        }
    }

    public static RowIndex Of(LabeledData data)
    {
        var (features, labels, width) = Flatten(data);
        return new RowIndex(features, labels, width);
    }

    /// <summary>The pool index of each record of <paramref name="data"/> (the first equal record); −1 for a record outside the pool when <paramref name="outsideAllowed"/>.</summary>
    public int[] Find(LabeledData data, string name, bool outsideAllowed = false)
    {
        var (features, labels, width) = Flatten(data);
        if (width != _width) throw new ArgumentException($"{name} have {width} features per record but the pool {_width}.", name);
        var result = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            var row = features.AsSpan(i * width, width);
            var found = -1;
            if (_byHash.TryGetValue(Hash(row, labels[i]), out var list))
            {
                foreach (var j in list)
                {
                    if (_labels[j] == labels[i] && row.SequenceEqual(_features.AsSpan(j * width, width)))
                    {
                        found = j;
                        break;
                    }
                }
            }
            if (found < 0 && !outsideAllowed)
                throw new ArgumentException($"Record {i} of {name} is not in the attacker's pool: LiRA fitted by Fit(target, pool) scores only records its shadows were trained with and without " +
                    "(fitted on a shared shadow set, it scores others from the shadows while the set lives).", name);
            result[i] = found;
        }
        return result;
    }

    private static (float[] Features, long[] Labels, int Width) Flatten(LabeledData data)
    {
        using var scope = NewDisposeScope();
        var width = (int)data.FeatureCount;
        var features = data.Features.reshape(data.Count, width).cpu().data<float>().ToArray();
        var labels = data.Labels.cpu().data<long>().ToArray();
        return (features, labels, width);
    }

    private static int Hash(ReadOnlySpan<float> row, long label)
    {
        var h = new HashCode();
        h.Add(label);
        foreach (var v in row) h.Add(v);
        return h.ToHashCode();
    }
}
