using FsCheck.Xunit;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Models;

public class InputBoundsTests
{
    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(2f, 1f)]
    [InlineData(float.NaN, 1f)]
    [InlineData(0f, float.PositiveInfinity)]
    public void InvalidBoundsAreRejected(float lower, float upper) =>
        Assert.Throws<ArgumentException>(() => new InputBounds(lower, upper));

    [Property(MaxTest = 50)]
    public bool ClampLandsInsideAndKeepsInsidePointsUnchanged(int seed, byte lo, byte width)
    {
        var bounds = new InputBounds(lo / 10f - 5f, lo / 10f - 5f + width / 10f + 0.1f);
        using var g = new Generator((ulong)(uint)seed);
        using var x = randn(4, 7, generator: g) * 10;
        using var clamped = bounds.Clamp(x);
        using var inside = x.ge(bounds.Lower).logical_and(x.le(bounds.Upper));
        using var unchanged = clamped.eq(x);
        return bounds.Contains(clamped) && unchanged.logical_or(inside.logical_not()).all().item<bool>();
    }

    [Fact]
    public void CoveringIsTheUnitBoxForPixelsAndAMarginedIntegerBoxOtherwise()
    {
        using var pixels = tensor(new float[] { 0f, 0.25f, 1f });
        using var more = tensor(new float[] { 0.5f });
        Assert.Equal(InputBounds.Unit, InputBounds.Covering(pixels, more));
        // Standardised values in [-2.3, 4.1] over two sets: ⌊-2.3⌋ - 1 = -4, ⌈4.1⌉ + 1 = 6.
        using var a = tensor(new float[] { -2.3f, 0.7f });
        using var b = tensor(new float[] { 4.1f });
        Assert.Equal(new InputBounds(-4f, 6f), InputBounds.Covering(a, b));
        // Non-negative counts above 1: the box keeps 0 inside with a unit margin, [-1, ⌈7.5⌉ + 1].
        using var counts = tensor(new float[] { 0f, 7.5f });
        Assert.Equal(new InputBounds(-1f, 9f), InputBounds.Covering(counts));
        using var empty = zeros(0);
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => InputBounds.Covering(empty)).ParamName);
        using var nan = tensor(new float[] { float.NaN, 1f });
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => InputBounds.Covering(nan)).ParamName);
    }
}
