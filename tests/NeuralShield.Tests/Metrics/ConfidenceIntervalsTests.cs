using NeuralShield.Metrics;

namespace NeuralShield.Tests.Metrics;

public class ConfidenceIntervalsTests
{
    [Fact]
    public void ClopperPearsonAtTheEndsHasClosedForms()
    {
        // k = 0: upper = 1 − (α/2)^(1/n); k = n: lower = (α/2)^(1/n).
        var none = ConfidenceIntervals.ClopperPearson(0, 30);
        Assert.Equal(0, none.Lower);
        Assert.Equal(1 - Math.Pow(0.025, 1.0 / 30), none.Upper, 9);
        var all = ConfidenceIntervals.ClopperPearson(30, 30);
        Assert.Equal(Math.Pow(0.025, 1.0 / 30), all.Lower, 9);
        Assert.Equal(1, all.Upper);
    }

    [Fact]
    public void ClopperPearsonMatchesRsBinomTest()
    {
        // R 4.x: binom.test(5, 10)$conf.int = 0.1870860 0.8129140; binom.test(1, 20)$conf.int = 0.001265089 0.248732763.
        var half = ConfidenceIntervals.ClopperPearson(5, 10);
        Assert.Equal(0.5, half.Estimate);
        Assert.Equal(0.1870860, half.Lower, 1e-7);
        Assert.Equal(0.8129140, half.Upper, 1e-7);
        var one = ConfidenceIntervals.ClopperPearson(1, 20);
        Assert.Equal(0.001265089, one.Lower, 1e-9);
        Assert.Equal(0.248732763, one.Upper, 1e-9);
    }

    [Fact]
    public void MeanIntervalIsStudentT()
    {
        // 1..5: mean 3, s = √2.5, t(0.975, 4) = 2.776445 → half-width 2.776445·√(2.5/5) = 1.963243.
        var m = ConfidenceIntervals.Mean([1, 2, 3, 4, 5]);
        Assert.Equal(3, m.Estimate, 12);
        Assert.Equal(3 - 1.963243, m.Lower, 5);
        Assert.Equal(3 + 1.963243, m.Upper, 5);
        Assert.True(m.Contains(2) && !m.Contains(5));
        Assert.Equal(new EstimateInterval(7, 7, 7, 1), ConfidenceIntervals.Mean([7]));
    }

    [Fact]
    public void BadInputIsRefused()
    {
        Assert.Equal("trials", Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceIntervals.ClopperPearson(0, 0)).ParamName);
        Assert.Equal("successes", Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceIntervals.ClopperPearson(4, 3)).ParamName);
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceIntervals.ClopperPearson(1, 3, 1)).ParamName);
        Assert.Throws<ArgumentException>(() => ConfidenceIntervals.Mean([]));
        Assert.Throws<ArgumentException>(() => ConfidenceIntervals.Mean([1, double.NaN]));
    }
}
