using FsCheck;
using FsCheck.Xunit;
using NeuralShield.Metrics;

namespace NeuralShield.Tests.Metrics;

public class MembershipMetricsTests
{
    // Scores with ties across members and non-members:
    //   members     0.9, 0.8, 0.8, 0.3
    //   non-members 0.8, 0.5, 0.3, 0.1
    private static readonly double[] Scores = [0.9, 0.8, 0.8, 0.3, 0.8, 0.5, 0.3, 0.1];
    private static readonly bool[] Members = [true, true, true, true, false, false, false, false];

    [Fact]
    public void RocOfTiedScoresHasOneStepPerDistinctScore()
    {
        var roc = RocCurve.Of(Scores, Members);
        var expected = new (double Fpr, double Tpr, double Threshold)[]
        {
            (0, 0, double.PositiveInfinity), (0, 0.25, 0.9), (0.25, 0.75, 0.8), (0.5, 0.75, 0.5), (0.75, 1, 0.3), (1, 1, 0.1),
        };
        Assert.Equal(expected.Length, roc.Points.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Fpr, roc.Points[i].FalsePositiveRate, 12);
            Assert.Equal(expected[i].Tpr, roc.Points[i].TruePositiveRate, 12);
            Assert.Equal(expected[i].Threshold, roc.Points[i].Threshold);
        }
    }

    [Fact]
    public void MetricsMatchHandComputation()
    {
        // AUC by pairs: 16 member/non-member pairs; the member wins 11 and ties 3 (0.8/0.8 twice, 0.3/0.3 once) → (11 + 1.5) / 16.
        var m = MembershipMetrics.Of(Scores, Members, threshold: 0.8);
        Assert.Equal(12.5 / 16, m.Auc, 12);
        // At 0.8: predicted members are 0.9, 0.8, 0.8 (members) and 0.8 (non-member): TP 3, FP 1, FN 1, TN 3.
        Assert.Equal(0.75, m.Accuracy, 12);
        Assert.Equal(0.75, m.Precision, 12);
        Assert.Equal(0.75, m.Recall, 12);
        // Advantage: max TPR − FPR = 0.75 − 0.25 at threshold 0.8.
        Assert.Equal(0.5, m.Advantage, 12);
        // No point has FPR ≤ 1% except those with no false positive: the largest such TPR is 0.25.
        Assert.Equal(0.25, m.TprAt1PctFpr, 12);
        Assert.Equal(0.25, m.TprAt01PctFpr, 12);
        Assert.Equal(4, m.Members);
        Assert.Equal(4, m.NonMembers);
    }

    [Fact]
    public void TprAtFprTakesTheLargestTprAtOrBelowTheTarget()
    {
        var roc = RocCurve.Of(Scores, Members);
        Assert.Equal(0.75, roc.TprAtFpr(0.25), 12);
        Assert.Equal(0.75, roc.TprAtFpr(0.6), 12);
        Assert.Equal(1, roc.TprAtFpr(0.75), 12);
        var grid = roc.OnLogGrid(0.01, 2);
        Assert.Equal(5, grid.Count);
        Assert.Equal(1, grid[^1].FalsePositiveRate, 12);
        Assert.Equal(1, grid[^1].TruePositiveRate, 12);
        Assert.StartsWith("fpr,tpr,threshold", roc.ToCsv());
    }

    [Fact]
    public void NoThresholdGivesNaNDecisionsButRocNumbers()
    {
        var m = MembershipMetrics.Of(Scores, Members, double.NaN);
        Assert.True(double.IsNaN(m.Accuracy) && double.IsNaN(m.Precision) && double.IsNaN(m.Recall));
        Assert.Equal(12.5 / 16, m.Auc, 12);
        // A threshold above every score predicts no member: precision undefined, recall 0.
        var none = MembershipMetrics.Of(Scores, Members, 2);
        Assert.True(double.IsNaN(none.Precision));
        Assert.Equal(0, none.Recall);
    }

    [Fact]
    public void ClassSlicesKeepClassesWithBothSides()
    {
        long[] labels = [0, 0, 1, 1, 0, 1, 1, 2];
        var slices = MembershipMetrics.ByClass(Scores, Members, labels, 0.5);
        Assert.Equal([0L, 1L], slices.Keys.ToArray());
        // Class 0: members 0.9, 0.8, non-member 0.8 → pairs (0.9 > 0.8) and (0.8 = 0.8): AUC 0.75.
        Assert.Equal(0.75, slices[0].Auc, 12);
        // Class 1: members 0.8, 0.3; non-members 0.5, 0.3 → wins 0.8>0.5, 0.8>0.3, tie 0.3=0.3, loss 0.3<0.5: 2.5 / 4.
        Assert.Equal(0.625, slices[1].Auc, 12);
    }

    [Fact]
    public void BadInputNamesTheArgument()
    {
        Assert.Equal("isMember", Assert.Throws<ArgumentException>(() => MembershipMetrics.Of([0.1, 0.2], [true, true], 0.5)).ParamName);
        Assert.Equal("isMember", Assert.Throws<ArgumentException>(() => MembershipMetrics.Of([0.1, 0.2], [true], 0.5)).ParamName);
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => MembershipMetrics.Of([0.1, double.NaN], [true, false], 0.5)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => MembershipMetrics.ByClass([0.1, 0.2], [true, false], [0], 0.5)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => RocCurve.Of([0.1, 0.2], [true, false]).TprAtFpr(2));
    }

    [Property(MaxTest = 200)]
    public bool RocIsMonotoneAndAucIsTheMannWhitneyStatistic(NonEmptyArray<byte> raw, int seed)
    {
        // Few distinct values so that ties are common; at least one member and one non-member.
        var values = raw.Get;
        var n = values.Length + 2;
        var scores = new double[n];
        var members = new bool[n];
        var random = new Random(seed);
        for (var i = 0; i < n; i++)
        {
            scores[i] = i < values.Length ? values[i] % 7 / 2.0 : random.Next(4);
            members[i] = i == 0 || (i != 1 && random.Next(2) == 0);
        }
        var roc = RocCurve.Of(scores, members);
        var monotone = roc.Points.Zip(roc.Points.Skip(1), (a, b) => b.FalsePositiveRate >= a.FalsePositiveRate && b.TruePositiveRate >= a.TruePositiveRate && b.Threshold < a.Threshold).All(x => x);
        var ends = roc.Points[0] is { FalsePositiveRate: 0, TruePositiveRate: 0 } && roc.Points[^1] is { FalsePositiveRate: 1, TruePositiveRate: 1 };
        double wins = 0;
        int pairs = 0;
        for (var i = 0; i < n; i++)
        {
            if (!members[i]) continue;
            for (var j = 0; j < n; j++)
            {
                if (members[j]) continue;
                pairs++;
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
            }
        }
        var auc = roc.Auc;
        return monotone && ends && auc >= 0 && auc <= 1 && Math.Abs(auc - wins / pairs) < 1e-9 && roc.Advantage >= 0 && roc.Advantage <= 1;
    }
}
