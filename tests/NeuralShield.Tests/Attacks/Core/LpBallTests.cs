using NeuralShield.Attacks.Core;
using NeuralShield.Metrics;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Core;

/// <summary><see cref="LpBall"/>: projections and directions by hand, random offsets by their distribution.</summary>
public sealed class LpBallTests
{
    [Fact]
    public void LInfProjectionClipsEachFeature()
    {
        var ball = new LpBall(Norm.LInf, 0.5);
        using var center = tensor(new float[] { 0, 0, 1, 1 }).reshape(2, 2);
        using var point = tensor(new float[] { 0.7f, -0.2f, 0, 1.3f }).reshape(2, 2);
        using var projected = ball.Project(point, center);
        Assert.Equal(new float[] { 0.5f, -0.2f, 0.5f, 1.3f }, projected.flatten().data<float>().ToArray());
    }

    [Fact]
    public void L2ProjectionRescalesOnlyTheSamplesOutside()
    {
        var ball = new LpBall(Norm.L2, 1);
        using var center = tensor(new float[] { 1, 1, 0, 0 }).reshape(2, 2);
        // Sample 0 is 5 away along (3, 4): it lands at 1 away, (0.6, 0.8). Sample 1 is 0.5 away: it stays.
        using var point = tensor(new float[] { 4, 5, 0.3f, 0.4f }).reshape(2, 2);
        using var projected = ball.Project(point, center);
        var values = projected.flatten().data<float>().ToArray();
        float[] expected = [1.6f, 1.8f, 0.3f, 0.4f];
        for (var i = 0; i < 4; i++) Assert.Equal(expected[i], values[i], 5);
        // The center itself (a zero difference) stays put.
        using var same = ball.Project(center, center);
        Assert.Equal(center.data<float>().ToArray(), same.data<float>().ToArray());
    }

    [Fact]
    public void SteepestAscentIsTheSignForLInfAndTheUnitGradientForL2()
    {
        using var gradient = tensor(new float[] { 3, -4, 0, 0, 0, 2 }).reshape(2, 3);
        using var sign = new LpBall(Norm.LInf, 0.1).SteepestAscent(gradient);
        Assert.Equal(new float[] { 1, -1, 0, 0, 0, 1 }, sign.flatten().data<float>().ToArray());
        using var unit = new LpBall(Norm.L2, 0.1).SteepestAscent(gradient);
        var values = unit.flatten().data<float>().ToArray();
        float[] expected = [0.6f, -0.8f, 0, 0, 0, 1];
        for (var i = 0; i < 6; i++) Assert.Equal(expected[i], values[i], 6);
    }

    [Fact]
    public void LInfOffsetsAreUniformOnTheCube()
    {
        var ball = new LpBall(Norm.LInf, 0.25);
        using var like = zeros(new long[] { 200, 50 }, dtype: ScalarType.Float64);
        using var offset = ball.RandomOffset(like, seed: 3);
        Assert.Equal(like.shape, offset.shape);
        Assert.Equal(ScalarType.Float64, offset.dtype);
        var values = offset.flatten().data<double>().ToArray();
        Assert.All(values, v => Assert.InRange(v, -0.25, 0.25));
        // Uniform on [−ε, ε]: mean 0, mean |v| = ε/2; 10 000 draws put both within 0.01 of that.
        Assert.InRange(values.Average(), -0.01, 0.01);
        Assert.InRange(values.Average(Math.Abs), 0.115, 0.135);
    }

    [Fact]
    public void L2OffsetsAreUniformInTheBall()
    {
        // Uniform in the d-ball of radius ε: the radius has P(r ≤ t) = (t/ε)^d, so E[r] = ε·d/(d + 1) — 2/3·ε for d = 2
        // (a radius uniform in [0, ε] would give ε/2).
        var ball = new LpBall(Norm.L2, 2);
        using var like = zeros(4000, 1, 2);
        using var offset = ball.RandomOffset(like, seed: 5);
        Assert.Equal(like.shape, offset.shape);
        using var radii = PerSample.Norms(offset, Norm.L2);
        var r = radii.data<float>().ToArray();
        Assert.All(r, v => Assert.True(v <= 2 + 1e-5, $"radius {v}"));
        Assert.InRange(r.Average(), 2 * 2 / 3.0 - 0.03, 2 * 2 / 3.0 + 0.03);
        // Directions are uniform: the mean offset is near 0.
        using var mean = offset.mean([0L, 1L]);
        Assert.All(mean.data<float>().ToArray(), m => Assert.InRange(m, -0.05, 0.05));
    }

    [Fact]
    public void OffsetsAreReproducibleFromTheirSeed()
    {
        var ball = new LpBall(Norm.L2, 0.5);
        using var like = zeros(3, 4);
        using var a = ball.RandomOffset(like, 7);
        using var b = ball.RandomOffset(like, 7);
        using var c = ball.RandomOffset(like, 8);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
    }

    [Fact]
    public void BadBallsAndArgumentsAreRefused()
    {
        var l0 = Assert.Throws<ArgumentOutOfRangeException>(() => new LpBall(Norm.L0, 1));
        Assert.Equal("norm", l0.ParamName);
        Assert.Contains("L∞ or L2", l0.Message);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new LpBall(Norm.L2, 0)).ParamName);
        var ball = new LpBall(Norm.L2, 1);
        using var x = zeros(1, 2);
        Assert.Equal("point", Assert.Throws<ArgumentNullException>(() => ball.Project(null!, x)).ParamName);
        Assert.Equal("center", Assert.Throws<ArgumentNullException>(() => ball.Project(x, null!)).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentNullException>(() => ball.SteepestAscent(null!)).ParamName);
        Assert.Equal("like", Assert.Throws<ArgumentNullException>(() => ball.RandomOffset(null!, 1)).ParamName);
        Assert.Equal("L2 ball of radius 1", ball.ToString());
    }
}
