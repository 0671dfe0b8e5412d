using NeuralShield.Privacy;

namespace NeuralShield.Tests.Privacy;

/// <summary>
/// The accountant where the sampled Gaussian's RDP is zero up to rounding (tiny q, huge σ) and where a step records
/// nothing (zero steps, σ = 0): the conversion of zero RDP, computed here by hand, is what it must give.
/// </summary>
public sealed class RdpEdgeCaseTests
{
    /// <summary>min over the orders of log(1 − 1/α) − (log δ + log α)/(α − 1): the (ε, δ) conversion of zero RDP, floored at 0.</summary>
    private static double ZeroRdpEpsilon(double delta) =>
        Math.Max(0, RdpAccountant.DefaultOrders.Min(a => Math.Log(1 - 1 / a) - (Math.Log(delta) + Math.Log(a)) / (a - 1)));

    [Theory]
    [InlineData(1e-12, 1.0)]
    [InlineData(1e-13, 0.5)]
    [InlineData(1e-9, 1.0)]
    [InlineData(1e-6, 100.0)]
    [InlineData(0.01, 1e6)]
    public void RoundingLevelRdpConvertsLikeZero(double q, double sigma)
    {
        // These settings once gave RDP values of about −1e-17 and threw "RDP values must be non-negative".
        var rdp = RdpAccountant.SampledGaussianRdp(q, sigma, 1000, RdpAccountant.DefaultOrders);
        Assert.All(rdp, r => Assert.True(r >= 0, $"rdp {r}"));
        var spent = RdpAccountant.Epsilon(q, sigma, 1000, 1e-5);
        // The guarantee is the conversion's minimum over the orders, at least the zero-RDP floor and, at the lowest order
        // (where these RDP values are ~1e-9 or less), no more than that order's conversion of zero.
        var lowest = RdpAccountant.DefaultOrders[0];
        Assert.InRange(spent.Epsilon, ZeroRdpEpsilon(1e-5) - 1e-12, Math.Log(1 - 1 / lowest) - (Math.Log(1e-5) + Math.Log(lowest)) / (lowest - 1) + 1e-6);
        var accountant = new RdpAccountant();
        accountant.Step(q, sigma, 1000);
        Assert.Equal(spent.Epsilon, accountant.GetPrivacySpent(1e-5).Epsilon, 12);
    }

    [Fact]
    public void ZeroStepsRecordNothingEvenWithoutNoise()
    {
        var accountant = new RdpAccountant();
        accountant.Step(0.01, 0, 0); // ∞ · 0 once stored NaN and broke every later call
        Assert.All(accountant.Rdp, r => Assert.Equal(0.0, r));
        Assert.Equal(RdpAccountant.Epsilon(0.01, 0, 0, 1e-5).Epsilon, accountant.GetPrivacySpent(1e-5).Epsilon, 12);
        Assert.Equal(ZeroRdpEpsilon(1e-5), accountant.GetPrivacySpent(1e-5).Epsilon, 12);
        accountant.Step(0.01, 1.1, 100); // later steps count as usual
        Assert.Equal(RdpAccountant.Epsilon(0.01, 1.1, 100, 1e-5).Epsilon, accountant.GetPrivacySpent(1e-5).Epsilon, 12);
        accountant.Step(0.01, 0, 1); // one step without noise: no finite guarantee
        Assert.True(double.IsPositiveInfinity(accountant.GetPrivacySpent(1e-5).Epsilon));
    }

    [Fact]
    public void AnUnreachableEpsilonIsRefusedNamingIt()
    {
        // ε = 1e-9 is below what zero RDP converts to at δ = 1e-5, so no σ can reach it.
        Assert.True(ZeroRdpEpsilon(1e-5) > 1e-9);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RdpAccountant.NoiseMultiplierFor(1e-9, 0.5, 1000, 1e-5));
        Assert.Equal("targetEpsilon", e.ParamName);
        Assert.Contains("zero RDP", e.Message);
        // A reachable target still bisects to a σ that meets it.
        var sigma = RdpAccountant.NoiseMultiplierFor(1.0, 0.01, 1000, 1e-5);
        Assert.True(RdpAccountant.Epsilon(0.01, sigma, 1000, 1e-5).Epsilon <= 1.0);
        Assert.True(RdpAccountant.Epsilon(0.01, sigma * 0.99, 1000, 1e-5).Epsilon > 1.0);
    }
}
