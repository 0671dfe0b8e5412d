using NeuralShield.Attacks;
using NeuralShield.Metrics;
using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

/// <summary>
/// <see cref="ThreatVerdicts"/>: one verdict per threat from the documented thresholds, checked by hand on the sample
/// report and at each threshold's edges; a family without a run is "not assessed".
/// </summary>
public class ThreatVerdictTests
{
    private static readonly AttackInfo Lira = new("LiRA (online)", AttackFamily.Inference, ModelAccess.Probabilities, null);

    internal static AttackRecord Membership(double tpr01, double auc, string? defense = null, string model = "mlp") =>
        new(model, Lira, "online", null, Membership: new MembershipMetrics(300, 300, auc, 0.5, 0.5, 0.5, 0, tpr01 * 2, tpr01, auc - 0.5))
            { Key = defense is null ? "membership-lira" : "membership-lira-top1", Defense = defense, Roc = [new(0.001, Math.Max(tpr01, 1e-4), 1), new(1, 1, 0)] };

    [Fact]
    public void TheSampleReportGetsTheHandComputedVerdicts()
    {
        var verdicts = ThreatVerdicts.Assess(AuditReportSamples.Full()).ToDictionary(v => v.Threat);
        Assert.Equal(Enum.GetValues<Threat>(), verdicts.Keys);
        // Evasion: PGD L∞ at ε = 0.1 keeps 60% of 90% clean = 0.667 of clean: under 0.9, over 0.5 → medium.
        Assert.Equal((Severity.Medium, 0.6), (verdicts[Threat.Evasion].Severity, verdicts[Threat.Evasion].Value!.Value));
        Assert.Contains("from 90.0% to 60.0%", verdicts[Threat.Evasion].Sentence);
        // Fooling: 50% of the classes reached the threshold → high (from 0.5).
        Assert.Equal((Severity.High, 0.5), (verdicts[Threat.Fooling].Severity, verdicts[Threat.Fooling].Value!.Value));
        // Membership: the undefended LiRA run decides: TPR 1% at 0.1% FPR = 10× chance → high.
        Assert.Equal((Severity.High, 0.01), (verdicts[Threat.Membership].Severity, verdicts[Threat.Membership].Value!.Value));
        Assert.Contains("10× chance", verdicts[Threat.Membership].Sentence);
        // Extraction: 60% transfer → high.
        Assert.Equal((Severity.High, 0.6), (verdicts[Threat.Extraction].Severity, verdicts[Threat.Extraction].Value!.Value));
        // Poisoning: the backdoor at the smallest fraction (10%) succeeds on 97% → high.
        Assert.Equal((Severity.High, 0.97), (verdicts[Threat.Poisoning].Severity, verdicts[Threat.Poisoning].Value!.Value));
        Assert.All(verdicts.Values, v => Assert.StartsWith("docs/defenses/", v.DefensePage));
        Assert.All(verdicts.Values, v => Assert.True(File.Exists(Path.Combine(RepositoryRoot(), v.DefensePage)), v.DefensePage));
    }

    [Theory]
    [InlineData(0.0099, Severity.Medium)]
    [InlineData(0.01, Severity.High)]
    [InlineData(0.003, Severity.Medium)]
    [InlineData(0.0029, Severity.Low)]
    [InlineData(0.0, Severity.Low)]
    public void MembershipSeverityFollowsTheMultiplesOfChance(double tpr, Severity expected)
    {
        var report = new AuditReport(DateTimeOffset.UnixEpoch, "d", "cpu", 0, [new ModelRecord("mlp", ModelAccess.WhiteBox, 0.9, 10)], [Membership(tpr, 0.6)]);
        Assert.Equal(expected, ThreatVerdicts.Assess(report)[(int)Threat.Membership].Severity);
    }

    [Theory]
    [InlineData(0.46, Severity.Medium)] // 0.46 / 0.9 = 0.511
    [InlineData(0.44, Severity.High)]   // 0.489
    [InlineData(0.81, Severity.Low)]    // 0.9
    [InlineData(0.80, Severity.Medium)] // 0.889
    public void EvasionSeverityFollowsTheShareOfCleanAccuracyKept(double robust, Severity expected)
    {
        var pgd = new AttackInfo("PGD L∞", AttackFamily.Evasion, ModelAccess.WhiteBox, null);
        var run = new AttackRecord("mlp", pgd, "eps=0.1", "untargeted", Evasion: new EvasionMetrics(10, 1 - robust, 1, 0.1, 0.5, 0.1, 0.1, 100, TimeSpan.Zero)) { Key = "pgd-linf-0.1" };
        var report = new AuditReport(DateTimeOffset.UnixEpoch, "d", "cpu", 0, [new ModelRecord("mlp", ModelAccess.WhiteBox, 0.9, 10)], [run]);
        Assert.Equal(expected, ThreatVerdicts.Assess(report)[(int)Threat.Evasion].Severity);
    }

    private static AttackRecord Evasion(string key, double robust, string model = "mlp") =>
        new(model, new AttackInfo(key, AttackFamily.Evasion, ModelAccess.WhiteBox, null), "eps", "untargeted",
            Evasion: new EvasionMetrics(100, 1 - robust, 1, 0.1, 0.5, 0.1, 0.1, 100, TimeSpan.Zero)) { Key = key };

    [Fact]
    public void PgdAboveTheStrongerAttacksByMoreThanThreePointsIsFlaggedAndTheStrongestDecides()
    {
        // ε = 0.1: PGD keeps 80%, APGD-CE 78%, APGD-T 70%: a 10-point gap → flagged, and APGD-T's 70% decides (0.78 of
        // 90% clean → medium). ε = 0.3: PGD 40%, Square 38%: a 2-point gap → not flagged. Another model's APGD run
        // does not count against this model's PGD.
        var runs = new[]
        {
            Evasion("pgd-linf-0.1", 0.80), Evasion("apgd-ce-0.1", 0.78), Evasion("apgd-t-0.1", 0.70),
            Evasion("pgd-linf-0.3", 0.40), Evasion("square-linf-0.3", 0.38), Evasion("apgd-t-0.3", 0.10, model: "other"),
        };
        var report = new AuditReport(DateTimeOffset.UnixEpoch, "d", "cpu", 0,
            [new ModelRecord("mlp", ModelAccess.WhiteBox, 0.9, 10), new ModelRecord("other", ModelAccess.WhiteBox, 0.9, 10)], runs);
        var flag = Assert.Single(ThreatVerdicts.GradientMasking(report));
        Assert.Equal(("mlp", "0.1", "apgd-t-0.1"), (flag.Model, flag.Epsilon, flag.StrongestKey));
        Assert.Equal(0.10, flag.Gap, 9);
        var evasion = ThreatVerdicts.Assess(report)[(int)Threat.Evasion];
        Assert.Equal((Severity.Medium, 0.70), (evasion.Severity, evasion.Value!.Value));
        Assert.Contains("Gradient masking suspected: PGD alone reports 80.0% at ε = 0.1, apgd-t-0.1 70.0%", evasion.Sentence);
        // Two points apart PGD is not flagged.
        var close = report with { Results = [Evasion("pgd-linf-0.1", 0.72), Evasion("apgd-t-0.1", 0.70)] };
        Assert.Empty(ThreatVerdicts.GradientMasking(close));
        Assert.DoesNotContain("masking", ThreatVerdicts.Assess(close)[(int)Threat.Evasion].Sentence);
    }

    [Fact]
    public void AutoAttacksRowDecidesTheMaskingFlagWhereItRan()
    {
        // ε = 0.1: PGD 80%, AutoAttack 76% (its worst case per sample), APGD-T's own row 70%: the flag compares PGD with
        // AutoAttack (a 4-point gap). ε = 0.3: PGD 40%, AutoAttack 38%, a Square row at 30%: AutoAttack's 2 points → no flag.
        var runs = new[]
        {
            Evasion("pgd-linf-0.1", 0.80), Evasion("autoattack-linf-0.1", 0.76), Evasion("apgd-t-0.1", 0.70),
            Evasion("pgd-linf-0.3", 0.40), Evasion("autoattack-linf-0.3", 0.38), Evasion("square-linf-0.3", 0.30),
        };
        var report = new AuditReport(DateTimeOffset.UnixEpoch, "d", "cpu", 0, [new ModelRecord("mlp", ModelAccess.WhiteBox, 0.9, 10)], runs);
        var flag = Assert.Single(ThreatVerdicts.GradientMasking(report));
        Assert.Equal(("0.1", "autoattack-linf-0.1"), (flag.Epsilon, flag.StrongestKey));
        Assert.Equal(0.04, flag.Gap, 9);
        // The lowest robust accuracy at ε = 0.1 among PGD, AutoAttack and its members decides the card.
        var evasion = ThreatVerdicts.Assess(report)[(int)Threat.Evasion];
        Assert.Equal(0.70, evasion.Value!.Value);
        Assert.Contains("autoattack-linf-0.1 76.0%", evasion.Sentence);
        // AutoAttack alone beside PGD decides the card where no member row ran.
        var alone = report with { Results = [Evasion("pgd-linf-0.1", 0.80), Evasion("autoattack-linf-0.1", 0.60)] };
        Assert.Equal(0.60, ThreatVerdicts.Assess(alone)[(int)Threat.Evasion].Value!.Value);
    }

    [Fact]
    public void AThreatWithoutARunIsNotAssessed()
    {
        var report = new AuditReport(DateTimeOffset.UnixEpoch, "d", "cpu", 0, [new ModelRecord("mlp", ModelAccess.WhiteBox, 0.9, 10)], []);
        Assert.All(ThreatVerdicts.Assess(report), v => Assert.Equal((Severity.NotAssessed, "not assessed", (double?)null), (v.Severity, v.Verdict, v.Value)));
    }

    internal static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "NeuralShield.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("NeuralShield.sln not found above the tests.");
    }
}
