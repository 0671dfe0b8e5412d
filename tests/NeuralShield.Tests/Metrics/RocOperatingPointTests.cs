using NeuralShield.Metrics;

namespace NeuralShield.Tests.Metrics;

/// <summary>
/// The operating points a report reads off the ROC (the threshold that reaches a TPR at a false-positive budget), the
/// precision when true and false positives are equal, and the checks on the arguments of the membership metrics.
/// </summary>
public sealed class RocOperatingPointTests
{
    // members     0.9, 0.8, 0.8, 0.3
    // non-members 0.8, 0.5, 0.3, 0.1
    // ROC points (FPR, TPR, threshold): (0, 0, ∞), (0, 0.25, 0.9), (0.25, 0.75, 0.8), (0.5, 0.75, 0.5), (0.75, 1, 0.3), (1, 1, 0.1).
    private static readonly double[] Scores = [0.9, 0.8, 0.8, 0.3, 0.8, 0.5, 0.3, 0.1];
    private static readonly bool[] Members = [true, true, true, true, false, false, false, false];

    [Theory]
    // FPR budget → (TPR, threshold). At 0.6 both thresholds 0.8 (FPR 0.25) and 0.5 (FPR 0.5) reach TPR 0.75; the
    // operating point is the one with fewer false positives, 0.8. A budget of exactly 0.25 still admits 0.8.
    [InlineData(0.0, 0.25, 0.9)]
    [InlineData(0.1, 0.25, 0.9)]
    [InlineData(0.25, 0.75, 0.8)]
    [InlineData(0.6, 0.75, 0.8)]
    [InlineData(0.75, 1.0, 0.3)]
    [InlineData(1.0, 1.0, 0.3)]
    public void OperatingPointIsTheThresholdThatReachesTheTprWithFewestFalsePositives(double fpr, double tpr, double threshold)
    {
        var roc = RocCurve.Of(Scores, Members);
        var point = Assert.Single(roc.At([fpr]));
        Assert.Equal(fpr, point.FalsePositiveRate);
        Assert.Equal(tpr, point.TruePositiveRate, 12);
        Assert.Equal(threshold, point.Threshold);
        Assert.Equal(tpr, roc.TprAtFpr(fpr), 12);
        // Predicting "member" at score ≥ threshold gives that TPR within the FPR budget.
        var predicted = Scores.Select(s => s >= point.Threshold).ToArray();
        Assert.Equal(tpr, predicted.Where((p, i) => p && Members[i]).Count() / 4.0, 12);
        Assert.True(predicted.Where((p, i) => p && !Members[i]).Count() / 4.0 <= fpr);
    }

    [Fact]
    public void WithoutAnyMemberAboveTheNonMembersTheZeroBudgetPointPredictsNobody()
    {
        // The top score is a non-member's: at FPR 0 nothing can be predicted a member, threshold +∞.
        var roc = RocCurve.Of([0.9, 0.5, 0.4], [false, true, true]);
        var point = Assert.Single(roc.At([0.0]));
        Assert.Equal(0, point.TruePositiveRate);
        Assert.Equal(double.PositiveInfinity, point.Threshold);
    }

    [Fact]
    public void LogGridHasItsPointsPerDecadeWithTheirOperatingPoints()
    {
        var roc = RocCurve.Of(Scores, Members);
        var grid = roc.OnLogGrid(0.01, 1);
        Assert.Equal([0.01, 0.1, 1.0], grid.Select(p => p.FalsePositiveRate).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([0.25, 0.25, 1.0], grid.Select(p => p.TruePositiveRate).ToArray());
        Assert.Equal([0.9, 0.9, 0.3], grid.Select(p => p.Threshold).ToArray());
        // Two points per decade over two decades: 10^-2, 10^-1.5, 10^-1, 10^-0.5, 1.
        var fine = roc.OnLogGrid(0.01, 2);
        Assert.Equal([0.01, Math.Pow(10, -1.5), 0.1, Math.Pow(10, -0.5), 1.0], fine.Select(p => p.FalsePositiveRate).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(0.75, fine[3].TruePositiveRate, 12);
        Assert.Equal(0.8, fine[3].Threshold);
    }

    [Fact]
    public void BadGridsAndBudgetsAreRefused()
    {
        var roc = RocCurve.Of(Scores, Members);
        Assert.Equal("minFpr", Assert.Throws<ArgumentOutOfRangeException>(() => roc.OnLogGrid(0)).ParamName);
        Assert.Equal("minFpr", Assert.Throws<ArgumentOutOfRangeException>(() => roc.OnLogGrid(1)).ParamName);
        Assert.Equal("minFpr", Assert.Throws<ArgumentOutOfRangeException>(() => roc.OnLogGrid(-0.5)).ParamName);
        Assert.Equal("minFpr", Assert.Throws<ArgumentOutOfRangeException>(() => roc.OnLogGrid(1.5)).ParamName);
        Assert.Equal("pointsPerDecade", Assert.Throws<ArgumentOutOfRangeException>(() => roc.OnLogGrid(0.01, 0)).ParamName);
        Assert.Equal("fpr", Assert.Throws<ArgumentOutOfRangeException>(() => roc.TprAtFpr(-0.01)).ParamName);
        Assert.Equal("fpr", Assert.Throws<ArgumentOutOfRangeException>(() => roc.TprAtFpr(1.01)).ParamName);
        Assert.Equal("fprs", Assert.Throws<ArgumentNullException>(() => roc.At(null!)).ParamName);
    }

    [Fact]
    public void PrecisionWithAsManyFalseAsTruePositivesIsOneHalf()
    {
        // At 0.5: predicted members 0.9 (member) and 0.8 (non-member): TP 1, FP 1, FN 1, TN 1.
        var m = MembershipMetrics.Of([0.9, 0.2, 0.8, 0.1], [true, true, false, false], 0.5);
        Assert.Equal(0.5, m.Precision, 12);
        Assert.Equal(0.5, m.Recall, 12);
        Assert.Equal(0.5, m.Accuracy, 12);
    }

    [Fact]
    public void BadMembershipInputNamesTheArgumentAndWhatWasExpected()
    {
        Assert.Equal("scores", Assert.Throws<ArgumentNullException>(() => MembershipMetrics.Of(null!, [true, false], 0.5)).ParamName);
        Assert.Equal("isMember", Assert.Throws<ArgumentNullException>(() => MembershipMetrics.Of([0.1, 0.2], null!, 0.5)).ParamName);
        // Three scores, two memberships (both classes present): the lengths alone are wrong.
        var lengths = Assert.Throws<ArgumentException>(() => MembershipMetrics.Of([0.1, 0.2, 0.3], [true, false], 0.5));
        Assert.Equal("isMember", lengths.ParamName);
        Assert.Contains("3 scores, 2 memberships", lengths.Message);
        var nan = Assert.Throws<ArgumentException>(() => RocCurve.Of([0.1, 0.2, double.NaN], [true, false, true]));
        Assert.Equal("scores", nan.ParamName);
        Assert.Contains("record 2", nan.Message);
        var oneSided = Assert.Throws<ArgumentException>(() => RocCurve.Of([0.1, 0.2], [false, false]));
        Assert.Equal("isMember", oneSided.ParamName);
        Assert.Contains("0 members of 2 records", oneSided.Message);
    }

    [Fact]
    public void BadClassSlicesAreRefusedBeforeSlicing()
    {
        // The NaN sits in class 1, which holds members only and would be skipped: the whole input is still checked.
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => MembershipMetrics.ByClass([0.1, 0.2, double.NaN], [true, false, true], [0, 0, 1], 0.5)).ParamName);
        Assert.Equal("isMember", Assert.Throws<ArgumentException>(() => MembershipMetrics.ByClass([0.1, 0.2, 0.3], [true, false], [0, 0, 1], 0.5)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentNullException>(() => MembershipMetrics.ByClass([0.1, 0.2], [true, false], null!, 0.5)).ParamName);
        var labels = Assert.Throws<ArgumentException>(() => MembershipMetrics.ByClass([0.1, 0.2], [true, false], [0, 1, 1], 0.5));
        Assert.Equal("labels", labels.ParamName);
        Assert.Contains("2 scores, 3 labels", labels.Message);
    }
}
