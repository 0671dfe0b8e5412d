namespace NeuralShield.Data;

/// <summary>
/// A labelled dataset: features [N, ...] (float32, all finite) and labels [N] (int64 class indices). Owns its
/// tensors: every method returns a new <see cref="LabeledData"/> with fresh tensors, and disposing
/// the dataset disposes its tensors.
/// </summary>
public sealed class LabeledData : IDisposable
{
    /// <summary>
    /// Wraps <paramref name="features"/> and <paramref name="labels"/>; takes ownership of both. Features of
    /// another floating dtype (float16, bfloat16, float64) are converted to float32 and labels of another
    /// integer dtype (int8, int16, int32, uint8) to int64, once, here; a tensor that is converted is disposed,
    /// since the dataset owns it.
    /// </summary>
    /// <param name="features">A batch [N, ...] (N ≥ 1, at least 2 dimensions) of a floating dtype, every element finite.</param>
    /// <param name="labels">Class indices [N] of an integer dtype, each in [0, <paramref name="classCount"/>). Float labels are refused.</param>
    /// <param name="classCount">Number of classes (at least 2).</param>
    /// <param name="classNames">Names of the classes; their indices as text when null.</param>
    /// <param name="featureNames">Names of the feature columns for tabular data.</param>
    /// <exception cref="ArgumentException">
    /// Shapes or types do not match, features hold NaN or ±Inf (the message says which, how many and the first
    /// sample), labels are not integers, or labels lie outside [0, classCount).
    /// </exception>
    public LabeledData(Tensor features, Tensor labels, int classCount, IReadOnlyList<string>? classNames = null, IReadOnlyList<string>? featureNames = null)
    {
        Guard.Batch(features, nameof(features), minDims: 2);
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A dataset needs at least 2 classes.");
        Guard.Labels(labels, features.shape[0], classCount, nameof(labels));
        Guard.Finite(features, nameof(features));
        if (classNames is not null && classNames.Count != classCount)
            throw new ArgumentException($"classNames must name all {classCount} classes; got {classNames.Count}.", nameof(classNames));
        Features = Convert(features, ScalarType.Float32);
        Labels = Convert(labels, ScalarType.Int64);
        ClassCount = classCount;
        ClassNames = classNames ?? Enumerable.Range(0, classCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        FeatureNames = featureNames;
    }

    /// <summary>A dataset of tensors derived from an already checked one (same dtypes, rows taken from it): no checks repeated.</summary>
    private LabeledData(Tensor features, Tensor labels, LabeledData source)
    {
        Features = features;
        Labels = labels;
        ClassCount = source.ClassCount;
        ClassNames = source.ClassNames;
        FeatureNames = source.FeatureNames;
    }

    /// <summary><paramref name="t"/> as <paramref name="type"/>; when a conversion is needed the original (owned) tensor is disposed.</summary>
    private static Tensor Convert(Tensor t, ScalarType type)
    {
        if (t.dtype == type) return t;
        var converted = t.to_type(type);
        t.Dispose();
        return converted;
    }

    /// <summary>Features [N, ...], float32.</summary>
    public Tensor Features { get; }

    /// <summary>Class indices [N], int64.</summary>
    public Tensor Labels { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Class names (their indices as text when the source has none).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Names of the feature columns for tabular data, else null.</summary>
    public IReadOnlyList<string>? FeatureNames { get; }

    /// <summary>Number of samples N.</summary>
    public int Count => (int)Features.shape[0];

    /// <summary>The shape of one sample.</summary>
    public long[] SampleShape => Features.shape.Skip(1).ToArray();

    /// <summary>Number of features per sample (product of <see cref="SampleShape"/>).</summary>
    public long FeatureCount => SampleShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Samples [start, start + count).</summary>
    public LabeledData Slice(int start, int count)
    {
        if (start < 0 || count < 1 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Slice [{start}, {start + count}) must lie inside [0, {Count}) and hold at least one sample.");
        return With(Features.narrow(0, start, count).clone(), Labels.narrow(0, start, count).clone());
    }

    /// <summary>The first <paramref name="count"/> samples (all of them when fewer).</summary>
    public LabeledData Take(int count)
    {
        Guard.Positive(count, nameof(count));
        return Slice(0, Math.Min(count, Count));
    }

    /// <summary>The samples at <paramref name="indices"/>, in that order.</summary>
    public LabeledData Subset(IReadOnlyList<long> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0) throw new ArgumentException("indices must select at least one sample.", nameof(indices));
        if (indices.Any(i => i < 0 || i >= Count))
            throw new ArgumentOutOfRangeException(nameof(indices), $"Every index must lie in [0, {Count}).");
        using var idx = tensor(indices.ToArray(), device: Features.device);
        return With(Features.index_select(0, idx), Labels.index_select(0, idx));
    }

    /// <summary>These samples followed by those of <paramref name="other"/> (same class count and sample shape), with these class and feature names.</summary>
    internal LabeledData Concat(LabeledData other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ClassCount != ClassCount)
            throw new ArgumentException($"other has {other.ClassCount} classes but these data {ClassCount}.", nameof(other));
        if (!other.SampleShape.SequenceEqual(SampleShape))
            throw new ArgumentException($"other's samples are [{string.Join(", ", other.SampleShape)}] but these [{string.Join(", ", SampleShape)}].", nameof(other));
        return With(cat([Features, other.Features.to(Features.device)]), cat([Labels, other.Labels.to(Labels.device)]));
    }

    /// <summary>A seeded random permutation of the samples.</summary>
    public LabeledData Shuffle(long seed)
    {
        using var perm = Permutation(Count, seed, Features.device);
        return With(Features.index_select(0, perm), Labels.index_select(0, perm));
    }

    /// <summary>
    /// A seeded random split into a first part of <c>round(fraction·N)</c> samples and the rest.
    /// </summary>
    public (LabeledData First, LabeledData Second) Split(double fraction, long seed)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "fraction must lie strictly between 0 and 1.");
        var first = (int)Math.Round(fraction * Count);
        if (first < 1 || first >= Count)
            throw new ArgumentOutOfRangeException(nameof(fraction), $"A split of {Count} samples at {fraction} leaves one part empty.");
        using var perm = Permutation(Count, seed, Features.device);
        using var a = perm.narrow(0, 0, first);
        using var b = perm.narrow(0, first, Count - first);
        return (With(Features.index_select(0, a), Labels.index_select(0, a)),
                With(Features.index_select(0, b), Labels.index_select(0, b)));
    }

    /// <summary>
    /// Mini-batches (features, labels); with <paramref name="seed"/> the order is a seeded permutation, else
    /// the stored order. Each batch holds fresh tensors that the caller disposes.
    /// </summary>
    public IEnumerable<(Tensor Features, Tensor Labels)> Batches(int batchSize, long? seed = null, Device? device = null)
    {
        Guard.Positive(batchSize, nameof(batchSize));
        return Iterate(batchSize, seed, device);
    }

    private IEnumerable<(Tensor, Tensor)> Iterate(int batchSize, long? seed, Device? device)
    {
        using var perm = seed is { } s ? Permutation(Count, s, Features.device) : null;
        for (var start = 0; start < Count; start += batchSize)
        {
            var len = Math.Min(batchSize, Count - start);
            Tensor x, y;
            if (perm is null)
            {
                x = Features.narrow(0, start, len).clone();
                y = Labels.narrow(0, start, len).clone();
            }
            else
            {
                using var idx = perm.narrow(0, start, len);
                x = Features.index_select(0, idx);
                y = Labels.index_select(0, idx);
            }
            if (device is not null && x.device != device)
            {
                var (x2, y2) = (x.to(device), y.to(device));
                x.Dispose();
                y.Dispose();
                (x, y) = (x2, y2);
            }
            yield return (x, y);
        }
    }

    /// <summary>A copy on <paramref name="device"/>.</summary>
    public LabeledData To(Device device) => With(Features.to(device, copy: true), Labels.to(device, copy: true));

    /// <summary>Counts of each class.</summary>
    public long[] ClassCounts()
    {
        using var counts = Labels.bincount(null, ClassCount);
        return counts.cpu().data<long>().ToArray();
    }

    /// <summary>A seeded permutation of 0..n−1 (int64) on <paramref name="device"/>, drawn on the CPU so that it is reproducible across runs and devices.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    public static Tensor Permutation(int n, long seed, Device device)
    {
        Guard.NonNegative(n, nameof(n));
        ArgumentNullException.ThrowIfNull(device);
        using var generator = new Generator((ulong)seed);
        using var perm = randperm(n, generator: generator, dtype: ScalarType.Int64);
        return perm.to(device, copy: true);
    }

    private LabeledData With(Tensor features, Tensor labels) => new(features, labels, this);

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
