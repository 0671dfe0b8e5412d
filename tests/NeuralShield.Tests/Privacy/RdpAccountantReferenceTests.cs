using NeuralShield.Privacy;

namespace NeuralShield.Tests.Privacy;

/// <summary>
/// The accountant where each part of its computation decides the result: high-precision reference values of the
/// defining integral, the large-argument erfc, the degenerate mechanisms (no noise, no sampling, no steps) and the
/// noise search's tolerance.
/// <para>
/// Reference values: mpmath 1.3.0 at 40 significant digits. The RDP of one step at order α is
/// log(A_α)/(α − 1) with A_α = ∫ N(z; 0, σ²) ((1 − q) + q·exp((2z − 1)/(2σ²)))^α dz (Mironov, Talwar, Zhang 2019,
/// Section 3.3), integrated numerically with <c>mpmath.quad</c> over [−∞, −10σ, z₀, 1, 10σ + α, ∞] — no series, so it
/// is independent of the code's erfc expansion. For integer α the quadrature agrees with the finite binomial sum to
/// 17 digits (checked at q = 0.5, σ = 1, α = 7 and q = 0.1, σ = 0.5, α = 3).
/// </para>
/// </summary>
public sealed class RdpAccountantReferenceTests
{
    [Theory]
    // Large q and small σ: the second series (the integral above z₀) carries most of A_α.
    [InlineData(0.5, 1.0, 2.5, 0.51056038092363165)]
    [InlineData(0.5, 1.0, 7.5, 2.9519630847493769)]
    [InlineData(0.3, 0.8, 1.5, 0.17221959584483807)]
    [InlineData(0.9, 2.0, 4.5, 0.48654462577291982)]
    // σ = 0.5, q = 0.1: the terms past α reach erfc arguments above 20 (the asymptotic branch) before the series is cut.
    [InlineData(0.1, 0.5, 2.5, 1.288617965439546)]
    public void FractionalOrdersMatchTheDefiningIntegral(double q, double sigma, double order, double expected)
    {
        var rdp = RdpAccountant.SampledGaussianRdp(q, sigma, order);
        Assert.True(Math.Abs(rdp - expected) <= 1e-9 * expected, $"RDP {rdp:R}, reference {expected:R}");
    }

    [Fact]
    public void SmallNoiseAndALargeOrderWhereTheLastTermDominates()
    {
        // σ = 0.1, α = 32: the binomial terms grow by far more than e^709 from k = 0 to k = 32, so the log-space sum
        // must add a much larger term to a small running sum without overflowing.
        // mpmath 1.3.0, 60 digits: log(Σ_k C(32, k) 0.99^(32−k) 0.01^k exp((k² − k)/0.02)) / 31.
        var rdp = RdpAccountant.SampledGaussianRdp(0.01, 0.1, 32);
        Assert.True(Math.Abs(rdp - 1595.2462759370445508) <= 1e-10 * 1595.25, $"RDP {rdp:R}");
    }

    [Theory]
    // Tiny q: A_α = 1 + O(q²), so the result rests on log(1 − q) and log(1 + x) being accurate for small arguments.
    // Integer order: mpmath's exact binomial sum; fractional: the quadrature above. The fractional series sums terms
    // of order 1 that cancel down to 10⁻¹², so doubles leave it about 10⁻¹⁷ absolute (10⁻⁵ relative) error.
    [InlineData(1e-6, 1.0, 2.0, 1.7182818284575688e-12, 1e-8)]
    [InlineData(1e-6, 1.0, 2.5, 2.1478551877889691e-12, 1e-4)]
    [InlineData(0.1, 0.5, 3.0, 2.5535812800204853, 1e-12)]
    public void SmallSamplingRatesKeepTheirRelativePrecision(double q, double sigma, double order, double expected, double relativeTolerance)
    {
        var rdp = RdpAccountant.SampledGaussianRdp(q, sigma, order);
        Assert.True(Math.Abs(rdp - expected) <= relativeTolerance * expected, $"RDP {rdp:R}, reference {expected:R}");
    }

    [Theory]
    // log(erfc(x)) from mpmath at 40 digits. erfc(30) ≈ 10⁻³⁹³ is below the smallest double, so only the asymptotic
    // expansion can give it; at x = 20 the expansion's truncation error (the next term, 945/(32x¹⁰)) is 3·10⁻¹².
    [InlineData(20.0, -403.56934333410423496)]
    [InlineData(22.5, -509.93686547960236376)]
    [InlineData(30.0, -903.97411711064387808)]
    [InlineData(50.0, -2504.4845878484513719)]
    // Below 20 the plain erfc: log(erfc(1)) and log(erfc(−1)) from mpmath.
    [InlineData(1.0, -1.8496055099332482486)]
    [InlineData(-1.0, 0.61123231767807049464)]
    public void LogErfcMatchesHighPrecisionValues(double x, double expected) =>
        Assert.True(Math.Abs(RdpAccountant.LogErfc(x) - expected) <= 2e-11, $"log erfc({x}) = {RdpAccountant.LogErfc(x):R}, reference {expected:R}");

    [Theory]
    // mpmath log1p/expm1 at 40 digits; log(1 + x) in plain doubles would lose the digits below 10⁻¹⁶ at x = 10⁻¹⁰.
    [InlineData(1e-10, 9.9999999995e-11, 1.00000000005e-10)]
    [InlineData(-1e-3, -0.0010005003335835335001, -0.00099950016662500833194)]
    [InlineData(0.5, 0.40546510810816438198, 0.64872127070012814685)]
    [InlineData(1e-300, 1e-300, 1e-300)]
    public void Log1pAndExpm1AreAccurateNearZero(double x, double log1p, double expm1)
    {
        Assert.True(Math.Abs(RdpAccountant.Log1p(x) - log1p) <= 1e-15 * Math.Abs(log1p), $"log1p({x}) = {RdpAccountant.Log1p(x):R}");
        Assert.True(Math.Abs(RdpAccountant.Expm1(x) - expm1) <= 1e-15 * Math.Abs(expm1), $"expm1({x}) = {RdpAccountant.Expm1(x):R}");
    }

    [Fact]
    public void Expm1OfLargeNegativeArgumentsIsMinusOne() => Assert.Equal(-1, RdpAccountant.Expm1(-800));

    [Fact]
    public void DefaultOrdersAreTheDocumentedGrid()
    {
        // 1.1, 1.2, …, 10.9; 11, 12, …, 63; 128, 256, 512, 1024 (the property's documentation).
        var expected = Enumerable.Range(11, 99).Select(i => i / 10.0).Concat(Enumerable.Range(11, 53).Select(i => (double)i)).Concat([128.0, 256, 512, 1024]).ToArray();
        var orders = RdpAccountant.DefaultOrders;
        Assert.Equal(expected.Length, orders.Count);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], orders[i], 12);
        Assert.Equal(expected, new RdpAccountant().Orders.ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void WithoutNoiseEveryOrderIsInfiniteUnlessNobodyIsSampled()
    {
        // σ = 0 releases the clipped sum exactly: no finite RDP at any order once a record can be in the lot.
        Assert.Equal(double.PositiveInfinity, RdpAccountant.SampledGaussianRdp(0.01, 0, 2.5));
        Assert.Equal(double.PositiveInfinity, RdpAccountant.SampledGaussianRdp(1, 0, 2));
        Assert.All(RdpAccountant.SampledGaussianRdp(0.01, 0, 3, [1.5, 2, 32]), r => Assert.Equal(double.PositiveInfinity, r));
        // A record that is never sampled leaks nothing, whatever the noise.
        Assert.Equal(0, RdpAccountant.SampledGaussianRdp(0, 0, 2.5));
        Assert.Equal(0, RdpAccountant.SampledGaussianRdp(0, 1, 2));
        // Infinite noise hides everything; an infinite order is the max-divergence, infinite for the Gaussian.
        Assert.Equal(0, RdpAccountant.SampledGaussianRdp(0.5, double.PositiveInfinity, 2.5));
        Assert.Equal(double.PositiveInfinity, RdpAccountant.SampledGaussianRdp(0.5, 1, double.PositiveInfinity));
    }

    [Fact]
    public void WithoutNoiseEpsilonIsInfinite()
    {
        var spent = RdpAccountant.Epsilon(0.01, 0, 10, 1e-5);
        Assert.Equal(double.PositiveInfinity, spent.Epsilon);
        Assert.Contains(spent.Order, RdpAccountant.DefaultOrders);
    }

    [Fact]
    public void ZeroStepsComposeToZeroRdp()
    {
        // Zero steps of any mechanism, even one without noise, reveal nothing.
        Assert.All(RdpAccountant.SampledGaussianRdp(0.01, 0, 0, [1.5, 2, 32]), r => Assert.Equal(0, r));
        Assert.All(RdpAccountant.SampledGaussianRdp(0.01, 1.1, 0, [1.5, 2, 32]), r => Assert.Equal(0, r));
        var accountant = new RdpAccountant([2.0, 8.0]);
        accountant.Step(0.01, 1.1, 0);
        Assert.Equal(0, accountant.Steps);
        Assert.Equal([0.0, 0.0], accountant.Rdp);
    }

    /// <summary>Asserts that <paramref name="call"/> throws <typeparamref name="T"/> naming <paramref name="parameter"/> and saying what was expected.</summary>
    private static void Refused<T>(Action call, string parameter, string expectation) where T : ArgumentException
    {
        var e = Assert.Throws<T>(call);
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains(expectation, e.Message);
    }

    [Fact]
    public void NegativeNoiseOrStepsAreRefused()
    {
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.SampledGaussianRdp(0.1, -0.5, 2.0), "noiseMultiplier", "non-negative");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.SampledGaussianRdp(0.1, double.NaN, 2.0), "noiseMultiplier", "non-negative");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.SampledGaussianRdp(0.1, 1, 1.0), "order", "greater than 1");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.SampledGaussianRdp(0.1, 1, -1, [2.0]), "steps", "non-negative");
        Refused<ArgumentOutOfRangeException>(() => new RdpAccountant().Step(0.1, 1, -1), "steps", "non-negative");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.NoiseMultiplierFor(1, 0.1, 0, 1e-5), "steps", "positive");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.NoiseMultiplierFor(1, 0.1, 10, 1e-5, tolerance: 0), "tolerance", "");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.NoiseMultiplierFor(0, 0.1, 10, 1e-5), "targetEpsilon", "");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.NoiseMultiplierFor(1, 1.5, 10, 1e-5), "samplingRate", "");
        Assert.Equal("orders", Assert.Throws<ArgumentNullException>(() => RdpAccountant.SampledGaussianRdp(0.1, 1, 1, null!)).ParamName);
    }

    [Fact]
    public void ConversionMatchesHandComputation()
    {
        // ε_α = r_α + log(1 − 1/α) − (log δ + log α)/(α − 1) (Balle et al. 2020, Theorem 21), δ = 1e-5:
        //   α = 2:  0.5 + log(1/2) − (log 1e-5 + log 2) = 0.5 − 0.693147 + 11.512925 − 0.693147 = 10.626631
        //   α = 10: 1.0 + log(0.9) − (log 1e-5 + log 10)/9 = 1 − 0.105361 + 1.279214 − 0.255843 = 1.918011
        var spent = RdpAccountant.GetPrivacySpent([2.0, 10.0], [0.5, 1.0], 1e-5);
        var expected = 1.0 + Math.Log(0.9) - (Math.Log(1e-5) + Math.Log(10)) / 9;
        Assert.Equal(1.918011, expected, 6);
        Assert.Equal(expected, spent.Epsilon, 12);
        Assert.Equal(10, spent.Order);
        Assert.Equal(1e-5, spent.Delta);
        // A bound below zero is reported as 0 (ε is non-negative): at δ = 0.5 and zero RDP, α = 2 gives
        // log(1/2) − (log 0.5 + log 2) = −0.693.
        Assert.Equal(0, RdpAccountant.GetPrivacySpent([2.0], [0.0], 0.5).Epsilon);
    }

    [Fact]
    public void ConversionRefusesMismatchedInput()
    {
        Refused<ArgumentException>(() => RdpAccountant.GetPrivacySpent([2.0, 3.0], [0.1], 1e-5), "rdp", "orders has 2 entries but rdp 1");
        Refused<ArgumentException>(() => RdpAccountant.GetPrivacySpent([], [], 1e-5), "orders", "At least one order");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.GetPrivacySpent([1.0], [0.1], 1e-5), "orders", "greater than 1");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.GetPrivacySpent([2.0], [0.1], 1), "delta", "(0, 1)");
        Refused<ArgumentOutOfRangeException>(() => RdpAccountant.GetPrivacySpent([2.0], [double.NaN], 1e-5), "rdp", "");
        Assert.Equal("orders", Assert.Throws<ArgumentNullException>(() => RdpAccountant.GetPrivacySpent(null!, [0.1], 1e-5)).ParamName);
        Assert.Equal("rdp", Assert.Throws<ArgumentNullException>(() => RdpAccountant.GetPrivacySpent([2.0], null!, 1e-5)).ParamName);
        Refused<ArgumentException>(() => new RdpAccountant([]), "orders", "At least one order");
        // Order 1 is the KL divergence, which the RDP-to-(ε, δ) conversion divides by zero at: refused, like below 1.
        Refused<ArgumentOutOfRangeException>(() => new RdpAccountant([2.0, 1.0]), "orders", "greater than 1");
    }

    [Theory]
    // A small target needs σ well above 1 and a large one σ well below 1: in both an absolute instead of a relative
    // tolerance would stop at another σ.
    [InlineData(0.2, 0.05, 200L, 4.0, 100.0)]
    [InlineData(20.0, 0.05, 10L, 0.1, 0.6)]
    [InlineData(8.0, 0.05, 10L, 0.1, 1.0)]
    [InlineData(12.0, 0.05, 10L, 0.1, 1.0)]
    [InlineData(30.0, 0.05, 10L, 0.05, 0.6)]
    [InlineData(50.0, 0.05, 10L, 0.02, 0.6)]
    public void NoiseSearchStopsWithinItsRelativeTolerance(double target, double q, long steps, double sigmaAbove, double sigmaBelow)
    {
        const double delta = 1e-5, tolerance = 1e-3;
        double[] orders = [2, 4, 8, 16, 32, 64, 128, 256];
        var sigma = RdpAccountant.NoiseMultiplierFor(target, q, steps, delta, orders, tolerance);
        Assert.InRange(sigma, sigmaAbove, sigmaBelow);
        Assert.True(RdpAccountant.Epsilon(q, sigma, steps, delta, orders).Epsilon <= target);
        // Not more noise than needed: a σ smaller by twice the tolerance misses the target.
        Assert.True(RdpAccountant.Epsilon(q, sigma * (1 - 2 * tolerance), steps, delta, orders).Epsilon > target);
    }

    [Fact]
    public void NoiseSearchNeedsNoNoiseWithoutSamplingAndRefusesUnreachableTargets()
    {
        Assert.Equal(0, RdpAccountant.NoiseMultiplierFor(1, 0, 100, 1e-5));
        // With orders up to 1024 no noise brings ε below the conversion's floor at α = 1024 with zero RDP,
        // log(1 − 1/1024) − (log 10⁻⁵ + log 1024)/1023 ≈ 0.0035: a target of 10⁻⁴ is out of reach.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RdpAccountant.NoiseMultiplierFor(1e-4, 1, 1000, 1e-5, [2.0, 32, 1024]));
        Assert.Equal("targetEpsilon", e.ParamName);
    }
}
