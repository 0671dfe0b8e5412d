using FsCheck.Xunit;
using NeuralShield.Privacy;

namespace NeuralShield.Tests.Privacy;

/// <summary>The accountant against the published values of TensorFlow Privacy's and Opacus' own tests.</summary>
public sealed class RdpAccountantTests
{
    [Fact]
    public void Mnist60kSigma13FifteenEpochs()
    {
        // N = 60000, batch 150, σ = 1.3, 15 epochs, δ = 1e-5 → ε = 0.7242 at order 19.
        var spent = RdpAccountant.Epsilon(150.0 / 60000, 1.3, 15 * 60000 / 150, 1e-5);
        Assert.Equal(0.7242, spent.Epsilon, 4);
        Assert.Equal(19, spent.Order);
    }

    [Fact]
    public void N100kSigma1ThirtyEpochs()
    {
        // N = 100000, batch 100, σ = 1.0, 30 epochs, δ = 1e-7 → ε = 1.4155 at order 13.
        var spent = RdpAccountant.Epsilon(100.0 / 100000, 1.0, 30 * 100000 / 100, 1e-7);
        Assert.Equal(1.4155, spent.Epsilon, 4);
        Assert.Equal(13, spent.Order);
    }

    [Fact]
    public void RdpOfTenStepsAtOrderFive()
    {
        var rdp = RdpAccountant.SampledGaussianRdp(0.1, 2, 10, [5.0]);
        Assert.Equal(0.07737, rdp[0], 5);
    }

    [Fact]
    public void RdpAtIntegerAndFractionalOrders()
    {
        var rdp = RdpAccountant.SampledGaussianRdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100]);
        double[] expected = [6.5007e-4, 1.0854e-3, 2.1808e-3, 2.3846e-2, 167.42];
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(rdp[i] - expected[i]) <= 1e-4 * expected[i] + 1e-9, $"order {i}: {rdp[i]} vs {expected[i]}");
    }

    [Theory]
    [InlineData(1.5, 0.7)]
    [InlineData(2, 1.0)]
    [InlineData(32, 4.0)]
    public void WithoutSubsamplingTheGaussianClosedForm(double order, double sigma)
    {
        Assert.Equal(order / (2 * sigma * sigma), RdpAccountant.SampledGaussianRdp(1.0, sigma, order), 12);
        Assert.Equal(7 * order / (2 * sigma * sigma), RdpAccountant.SampledGaussianRdp(1.0, sigma, 7, [order])[0], 10);
    }

    [Fact]
    public void FractionalOrdersInterpolateTheIntegerOnes()
    {
        // RDP is non-decreasing in the order; the fractional series must sit between its integer neighbours.
        var rdp = RdpAccountant.SampledGaussianRdp(0.02, 1.1, 1, [3.0, 3.5, 4.0]);
        Assert.True(rdp[0] <= rdp[1] && rdp[1] <= rdp[2], string.Join(", ", rdp));
    }

    [Fact]
    public void AccountantComposesSteps()
    {
        var accountant = new RdpAccountant();
        accountant.Step(0.01, 1.1, 300);
        accountant.Step(0.01, 1.1, 700);
        Assert.Equal(1000, accountant.Steps);
        Assert.Equal(RdpAccountant.Epsilon(0.01, 1.1, 1000, 1e-5).Epsilon, accountant.GetPrivacySpent(1e-5).Epsilon, 10);
    }

    [Fact]
    public void NoiseSearchMeetsTheTarget()
    {
        const double q = 128.0 / 10000;
        const long steps = 20 * 78;
        var sigma = RdpAccountant.NoiseMultiplierFor(2.0, q, steps, 1e-5);
        Assert.True(RdpAccountant.Epsilon(q, sigma, steps, 1e-5).Epsilon <= 2.0);
        Assert.True(RdpAccountant.Epsilon(q, sigma * 0.99, steps, 1e-5).Epsilon > 2.0);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        Assert.Equal("order", Assert.Throws<ArgumentOutOfRangeException>(() => RdpAccountant.SampledGaussianRdp(0.1, 1, 1.0)).ParamName);
        Assert.Equal("samplingRate", Assert.Throws<ArgumentOutOfRangeException>(() => RdpAccountant.SampledGaussianRdp(1.5, 1, 2.0)).ParamName);
        Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => RdpAccountant.Epsilon(0.1, 1, 10, 0)).ParamName);
        Assert.Equal("orders", Assert.Throws<ArgumentOutOfRangeException>(() => new RdpAccountant([0.5])).ParamName);
    }

    [Property(MaxTest = 40)]
    public bool EpsilonGrowsWithSteps(int seed)
    {
        var rng = new Random(seed);
        var q = 0.001 + 0.1 * rng.NextDouble();
        var sigma = 0.6 + 3 * rng.NextDouble();
        var steps = 1 + rng.Next(2000);
        var more = steps + 1 + rng.Next(2000);
        return RdpAccountant.Epsilon(q, sigma, steps, 1e-5).Epsilon <= RdpAccountant.Epsilon(q, sigma, more, 1e-5).Epsilon;
    }

    [Property(MaxTest = 40)]
    public bool EpsilonFallsWithNoise(int seed)
    {
        var rng = new Random(seed);
        var q = 0.001 + 0.1 * rng.NextDouble();
        var sigma = 0.6 + 3 * rng.NextDouble();
        var larger = sigma * (1.01 + rng.NextDouble());
        var steps = 1 + rng.Next(2000);
        return RdpAccountant.Epsilon(q, larger, steps, 1e-5).Epsilon <= RdpAccountant.Epsilon(q, sigma, steps, 1e-5).Epsilon;
    }
}
