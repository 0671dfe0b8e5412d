using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

/// <summary>
/// <see cref="AuditGate"/>: <c>metric=bound</c> is parsed strictly; accuracies fail under the bound, attack success and
/// AUC over it; a metric no run gives fails and says so.
/// </summary>
public class AuditGateTests
{
    private static readonly AuditReport Report = AuditReportSamples.Full();

    [Theory]
    [InlineData("robust_accuracy@pgd-linf-0.1=0.5", "robust_accuracy@pgd-linf-0.1", 0.5)]
    [InlineData("Membership_AUC = 0.6", "membership_auc", 0.6)]
    [InlineData("clean_accuracy=1e-1", "clean_accuracy", 0.1)]
    public void ParseReadsMetricAndBound(string text, string metric, double bound)
    {
        var gate = AuditGate.Parse(text);
        Assert.Equal(metric, gate.Metric);
        Assert.Equal(bound, gate.Bound, 12);
    }

    [Theory]
    [InlineData("robust_accuracy")]
    [InlineData("=0.5")]
    [InlineData("robust_accuracy=")]
    [InlineData("robust_accuracy=abc")]
    [InlineData("robust_accuracy=NaN")]
    [InlineData("happiness=0.5")]
    [InlineData("robust_accuracy@=0.5")]
    public void ParseRefusesMalformedGatesNamingThem(string text)
    {
        var e = Assert.Throws<FormatException>(() => AuditGate.Parse(text));
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void RobustAccuracyFailsUnderItsBound()
    {
        // PGD eps=0.1 has 40% success: robust accuracy 60%.
        var pass = AuditGate.Parse("robust_accuracy@pgd-linf-0.1=0.6").Check(Report);
        Assert.True(pass.Passed, pass.Detail);
        Assert.Equal(0.6, pass.Value!.Value, 9);
        var fail = AuditGate.Parse("robust_accuracy@pgd-linf-0.1=0.61").Check(Report);
        Assert.False(fail.Passed);
        Assert.Contains("robust_accuracy@pgd-linf-0.1 = 0.6 < 0.61", fail.Detail);
        // Without a key: the lowest over the untargeted evasion runs (eps=0.3: 10%).
        Assert.Equal(0.1, AuditGate.Parse("robust_accuracy=0.05").Check(Report).Value!.Value, 9);
    }

    [Fact]
    public void MembershipAucAndBackdoorSuccessFailOverTheirBounds()
    {
        var auc = AuditGate.Parse("membership_auc=0.6").Check(Report);
        Assert.False(auc.Passed);
        Assert.Equal(0.7, auc.Value!.Value, 9); // the highest of the membership runs
        Assert.True(AuditGate.Parse("membership_auc@membership-lira-top1=0.6").Check(Report).Passed);
        Assert.False(AuditGate.Parse("backdoor_success=0.98").Check(Report).Passed);
        Assert.True(AuditGate.Parse("backdoor_success@backdoor-0.1=0.98").Check(Report).Passed);
        Assert.True(AuditGate.Parse("clean_accuracy=0.9").Check(Report).Passed);
        Assert.False(AuditGate.Parse("poisoned_accuracy=0.86").Check(Report).Passed);
    }

    [Fact]
    public void AMetricNoRunGivesFailsAndSaysSo()
    {
        // The only run keyed jsma does not exist; pgd-linf-0.1 of "api" was skipped and is not counted.
        var missing = AuditGate.Parse("robust_accuracy@jsma=0.1").Check(Report);
        Assert.False(missing.Passed);
        Assert.Null(missing.Value);
        Assert.Contains("no run", missing.Detail);
    }
}
