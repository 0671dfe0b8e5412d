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
}
