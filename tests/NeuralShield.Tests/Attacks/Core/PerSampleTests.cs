using NeuralShield.Attacks.Core;
using NeuralShield.Metrics;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Core;

/// <summary><see cref="PerSample"/> against hand computations on small batches.</summary>
public sealed class PerSampleTests
{
    // Two samples of shape [2, 2]: (3, 4, 0, 0) and (0, −1, 0.5, 0).
    private static Tensor Batch() => tensor(new float[] { 3, 4, 0, 0, 0, -1, 0.5f, 0 }).reshape(2, 2, 2);

    [Theory]
    [InlineData(Norm.L2, 5f, 1.118034f)]
    [InlineData(Norm.LInf, 4f, 1f)]
    [InlineData(Norm.L0, 2f, 2f)]
    public void NormsAreOnePerSample(Norm norm, float first, float second)
    {
        using var batch = Batch();
        using var norms = PerSample.Norms(batch, norm);
        // Shape [N], not [N, 1]: an [N, 1] result would broadcast against an [N] vector into [N, N].
        Assert.Equal([2L], norms.shape);
        Assert.Equal(ScalarType.Float32, norms.dtype);
        var values = norms.data<float>().ToArray();
        Assert.Equal(first, values[0], 5);
        Assert.Equal(second, values[1], 5);
    }

    [Fact]
    public void UnknownNormIsRefused()
    {
        using var batch = Batch();
        Assert.Equal("norm", Assert.Throws<ArgumentOutOfRangeException>(() => PerSample.Norms(batch, (Norm)9)).ParamName);
        Assert.Throws<ArgumentNullException>(() => PerSample.Norms(null!, Norm.L2));
    }

    [Fact]
    public void BroadcastGivesEachSampleItsOwnValue()
    {
        using var batch = Batch();
        using var factors = tensor(new float[] { 2, -3 });
        using var shaped = PerSample.Broadcast(factors, batch);
        Assert.Equal([2L, 1, 1], shaped.shape);
        using var scaled = batch * shaped;
        Assert.Equal(new float[] { 6, 8, 0, 0, 0, 3, -1.5f, 0 }, scaled.flatten().data<float>().ToArray());
        Assert.Throws<ArgumentNullException>(() => PerSample.Broadcast(null!, batch));
        Assert.Throws<ArgumentNullException>(() => PerSample.Broadcast(factors, null!));
    }

    [Fact]
    public void L2NormaliseGivesUnitSamplesAndKeepsZeroSamplesZero()
    {
        using var batch = tensor(new float[] { 3, 4, 0, 0, 0, 0, 0, 0 }).reshape(2, 4);
        using var unit = PerSample.L2Normalise(batch);
        var values = unit.data<float>().ToArray();
        float[] expected = [0.6f, 0.8f, 0, 0, 0, 0, 0, 0];
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 6);
    }

    [Fact]
    public void WhereChoosesWholeSamples()
    {
        using var a = ones(3, 2);
        using var b = zeros(3, 2);
        using var mask = tensor(new[] { true, false, true });
        using var chosen = PerSample.Where(mask, a, b);
        Assert.Equal(new float[] { 1, 1, 0, 0, 1, 1 }, chosen.flatten().data<float>().ToArray());
        Assert.Equal("mask", Assert.Throws<ArgumentNullException>(() => PerSample.Where(null!, a, b)).ParamName);
    }
}
