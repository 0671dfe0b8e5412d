using NeuralShield.Metrics;

namespace NeuralShield.Tests.Metrics;

public class PoisoningMetricsTests
{
    [Fact]
    public void DetectionCountsTruePositives()
    {
        var m = DetectionMetrics.Of([1, 2, 3, 4], [2, 4, 6]);
        Assert.Equal(2, m.TruePositives);
        Assert.Equal(0.5, m.Precision);
        Assert.Equal(2.0 / 3, m.Recall, 12);
        Assert.Equal(1.0, DetectionMetrics.Of([], [1]).Precision);
        Assert.Equal(1.0, DetectionMetrics.Of([1], []).Recall);
    }
}
