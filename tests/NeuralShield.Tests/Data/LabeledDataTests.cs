using FsCheck;
using FsCheck.Xunit;
using NeuralShield.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Data;

public class LabeledDataTests
{
    /// <summary>A dataset whose sample i has features [i, −i] and label i mod classes, so rows can be traced.</summary>
    private static LabeledData Indexed(int n, int classes = 3)
    {
        var features = new float[2 * n];
        var labels = new long[n];
        for (var i = 0; i < n; i++)
        {
            features[2 * i] = i;
            features[2 * i + 1] = -i;
            labels[i] = i % classes;
        }
        return new LabeledData(tensor(features, [n, 2]), tensor(labels, [n]), classes);
    }

    /// <summary>The original indices of the samples of <paramref name="data"/>, checking features and labels agree.</summary>
    private static int[] Ids(LabeledData data, int classes = 3) => Ids(data.Features, data.Labels, classes);

    private static int[] Ids(Tensor features, Tensor labels, int classes = 3)
    {
        var x = features.data<float>().ToArray();
        var y = labels.data<long>().ToArray();
        var ids = new int[y.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = (int)x[2 * i];
            Assert.Equal(-x[2 * i], x[2 * i + 1]);
            Assert.Equal(ids[i] % classes, y[i]);
        }
        return ids;
    }

    [Fact]
    public void Shuffle_is_deterministic_per_seed_and_a_permutation()
    {
        using var data = Indexed(200);
        using var a = data.Shuffle(7);
        using var b = data.Shuffle(7);
        using var c = data.Shuffle(8);
        var ids = Ids(a);
        Assert.Equal(ids, Ids(b));
        Assert.NotEqual(ids, Ids(c));
        Assert.NotEqual(Enumerable.Range(0, 200), ids);
        Assert.Equal(Enumerable.Range(0, 200), ids.Order());
        Assert.Equal(Enumerable.Range(0, 200), Ids(data)); // the source is untouched
    }

    [Fact]
    public void Split_is_deterministic_per_seed_and_sizes_add_up()
    {
        using var data = Indexed(101);
        var (a1, a2) = data.Split(0.8, seed: 3);
        var (b1, b2) = data.Split(0.8, seed: 3);
        var (c1, c2) = data.Split(0.8, seed: 4);
        using (a1) using (a2) using (b1) using (b2) using (c1) using (c2)
        {
            Assert.Equal(81, a1.Count);
            Assert.Equal(20, a2.Count);
            Assert.Equal(data.Count, a1.Count + a2.Count);
            Assert.Equal(Ids(a1), Ids(b1));
            Assert.Equal(Ids(a2), Ids(b2));
            Assert.NotEqual(Ids(a1), Ids(c1));
            Assert.Equal(Enumerable.Range(0, 101), Ids(a1).Concat(Ids(a2)).Order());
            Assert.Equal(data.ClassCount, a2.ClassCount);
        }
    }

    [Fact]
    public void Split_rejects_fractions_that_leave_a_part_empty()
    {
        using var data = Indexed(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(double.NaN, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(0.01, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(0.99, 1));
    }

    [Property(MaxTest = 150)]
    public void Split_partitions_the_index_set(PositiveInt size, NormalFloat rawFraction, long seed)
    {
        var n = 1 + size.Get % 400;
        var fraction = Math.Abs(rawFraction.Get) % 1.0;
        if (fraction == 0) fraction = 0.5;
        using var data = Indexed(n);
        var first = (int)Math.Round(fraction * n);
        if (first < 1 || first >= n)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(fraction, seed));
            return;
        }
        var (a, b) = data.Split(fraction, seed);
        using (a) using (b)
        {
            Assert.Equal(first, a.Count);
            Assert.Equal(n - first, b.Count);
            var ids = Ids(a).Concat(Ids(b)).ToArray();
            Assert.Equal(n, ids.Distinct().Count());
            Assert.Equal(Enumerable.Range(0, n), ids.Order());
        }
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(7, null)]
    [InlineData(10, 5L)]
    [InlineData(64, 9L)]
    [InlineData(100, 1L)]
    public void Batches_cover_every_sample_exactly_once(int batchSize, long? seed)
    {
        using var data = Indexed(53);
        var seen = new List<int>();
        var batches = 0;
        foreach (var (x, y) in data.Batches(batchSize, seed))
        {
            using (x) using (y)
            {
                Assert.InRange(y.shape[0], 1, batchSize);
                seen.AddRange(Ids(x, y));
            }
            batches++;
        }
        Assert.Equal((53 + batchSize - 1) / batchSize, batches);
        Assert.Equal(Enumerable.Range(0, 53), seen.Order());
        if (seed is null) Assert.Equal(Enumerable.Range(0, 53), seen);
        else if (batchSize < 53) Assert.NotEqual(Enumerable.Range(0, 53), seen);
    }

    [Fact]
    public void Seeded_batches_are_reproducible()
    {
        using var data = Indexed(40);
        List<int> Order(long seed) => data.Batches(6, seed).SelectMany(b =>
        {
            using (b.Features) using (b.Labels) return Ids(b.Features, b.Labels);
        }).ToList();
        Assert.Equal(Order(2), Order(2));
        Assert.NotEqual(Order(2), Order(3));
    }

    [Fact]
    public void Slice_subset_and_take_select_the_right_samples()
    {
        using var data = Indexed(20);
        using var slice = data.Slice(5, 4);
        Assert.Equal([5, 6, 7, 8], Ids(slice));
        using var subset = data.Subset([19, 0, 3, 3]);
        Assert.Equal([19, 0, 3, 3], Ids(subset));
        using var take = data.Take(100);
        Assert.Equal(20, take.Count);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(0, 0)]
    [InlineData(19, 2)]
    [InlineData(20, 1)]
    [InlineData(0, 21)]
    public void Slice_outside_the_data_throws(int start, int count)
    {
        using var data = Indexed(20);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(start, count));
    }

    [Fact]
    public void Subset_with_bad_indices_throws()
    {
        using var data = Indexed(20);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([0, 20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([-1]));
        Assert.Throws<ArgumentException>(() => data.Subset([]));
        Assert.Throws<ArgumentNullException>(() => data.Subset(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Take(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Batches(0).ToList());
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64)]
    public void Other_float_features_become_float32_once(ScalarType type)
    {
        var values = new[] { 0.5f, -2f, 0.25f, 3f };
        var features = tensor(values, [2, 2]).to_type(type);
        using var data = new LabeledData(features, tensor(new long[] { 0, 1 }), 2);
        Assert.Equal(ScalarType.Float32, data.Features.dtype);
        Assert.Equal(values, data.Features.data<float>().ToArray());
        Assert.True(features.IsInvalid); // the dataset owned the original and released it
        using var shuffled = data.Shuffle(1);
        Assert.Equal(ScalarType.Float32, shuffled.Features.dtype);
    }

    [Theory]
    [InlineData(ScalarType.Int8)]
    [InlineData(ScalarType.Int16)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Byte)]
    public void Other_integer_labels_become_int64_once_with_the_same_values(ScalarType type)
    {
        using var expected = Indexed(30, classes: 4);
        using var labels = expected.Labels.to_type(type);
        using var data = new LabeledData(expected.Features.clone(), labels.clone(), 4);
        Assert.Equal(ScalarType.Int64, data.Labels.dtype);
        Assert.Equal(expected.Labels.data<long>().ToArray(), data.Labels.data<long>().ToArray());
        Assert.Equal(expected.ClassCounts(), data.ClassCounts());
        Assert.Equal(Ids(expected, 4), Ids(data, 4));
    }

    [Fact]
    public void Int32_labels_out_of_range_are_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LabeledData(zeros(2, 2), tensor(new[] { 0, 3 }), 3));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("[0, 3]", e.Message);
    }

    [Fact]
    public void Float_labels_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new LabeledData(zeros(2, 2), tensor(new[] { 0f, 1f }), 2));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("integer class indices", e.Message);
        Assert.Contains("Float32", e.Message);
    }

    [Fact]
    public void NaN_and_Inf_features_are_refused_naming_the_first_bad_sample()
    {
        using var labels = tensor(new long[] { 0, 1, 0 });
        using var nan = tensor(new[] { 0f, 1f, 2f, 3f, float.NaN, 5f }, [3, 2]);
        var e = Assert.Throws<ArgumentException>(() => new LabeledData(nan, labels, 2));
        Assert.Equal("features", e.ParamName);
        Assert.Contains("1 NaN element", e.Message);
        Assert.Contains("sample 2", e.Message);
        Assert.False(nan.IsInvalid); // a refused tensor is left to the caller

        using var inf = tensor(new[] { 0f, 1f, double.PositiveInfinity, 3f, 4f, 5f }, [3, 2]).to_type(ScalarType.Float64);
        e = Assert.Throws<ArgumentException>(() => new LabeledData(inf, labels, 2));
        Assert.Contains("Inf", e.Message);
        Assert.Contains("sample 1", e.Message);
    }

    [Fact]
    public void ConcatKeepsOrderAndRefusesOtherClassesOrShapes()
    {
        using var a = new LabeledData(tensor(new float[,] { { 1, 2 }, { 3, 4 } }), tensor(new long[] { 0, 1 }), 3);
        using var b = new LabeledData(tensor(new float[,] { { 5, 6 } }), tensor(new long[] { 2 }), 3);
        using var both = a.Concat(b);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, both.Features.data<float>().ToArray());
        Assert.Equal(new long[] { 0, 1, 2 }, both.Labels.data<long>().ToArray());
        using var twoClasses = new LabeledData(tensor(new float[,] { { 5, 6 } }), tensor(new long[] { 1 }), 2);
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => a.Concat(twoClasses)).ParamName);
        using var wide = new LabeledData(tensor(new float[,] { { 5, 6, 7 } }), tensor(new long[] { 1 }), 3);
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => a.Concat(wide)).ParamName);
    }
}
