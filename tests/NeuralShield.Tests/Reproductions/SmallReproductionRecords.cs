using NeuralShield.Reports;

namespace NeuralShield.Tests.Reproductions;

/// <summary>
/// The attack runs a reproduction reports in the audit's result schema (<see cref="ReproductionReport.Records"/>): each
/// record holds exactly one family's metrics and no error, and where a record is the run behind one of the
/// reproduction's keys, its number is that key's (so the records are the runs measured, not a second run or a copy of
/// another family's numbers).
/// </summary>
internal static class SmallReproductionRecords
{
    /// <summary>Per reproduction: the records it must write (attack name, model) and the numbers they must share with its keys.</summary>
    private static readonly Dictionary<string, Action<ReproductionReport>> Checks = new(StringComparer.Ordinal)
    {
        ["fgsm"] = r => Same(r, "error_rate", One(r, "FGSM").Evasion!.Value.SuccessRate),
        ["jsma"] = r =>
        {
            var f = One(r, "JSMA-F").Evasion!.Value;
            Same(r, "success_rate", f.SuccessRate);
            Same(r, "mean_l0_fraction", f.MeanL0Fraction);
            Same(r, "mean_l0_fraction_all", f.MeanL0FractionAll);
            Same(r, "z_success_rate", One(r, "JSMA-Z").Evasion!.Value.SuccessRate);
        },
        ["deepfool"] = r => Assert.Equal(2, Of(r, "DeepFool").Count),
        ["cw"] = r => Assert.True(One(r, "C&W").Evasion!.Value.SampleCount > 0),
        ["hopskipjump"] = r =>
        {
            foreach (var budget in new[] { 1000, 5000 })
            {
                var record = Assert.Single(Of(r, "HopSkipJump"), x => x.Setting.Contains($" {budget} queries", StringComparison.Ordinal));
                Same(r, $"q{budget}.success_rate", record.Evasion!.Value.SuccessRate);
            }
        },
        ["square"] = r => Same(r, "success_rate", One(r, "Square").Evasion!.Value.SuccessRate),
        ["autoattack"] = r => Same(r, "robust_accuracy", 1 - One(r, "AutoAttack").Evasion!.Value.SuccessRate),
        ["universal"] = r => Assert.Equal(2, Of(r, "Universal").Count),
        ["fooling"] = r =>
        {
            Same(r, "min_confidence_gradient", One(r, "Gradient-ascent").Fooling!.Value.MinConfidence);
            Same(r, "generations_map_elites", Assert.Single(Of(r, "Evolutionary"), x => x.Setting.StartsWith("MAP-Elites", StringComparison.Ordinal)).Fooling!.Value.Iterations);
        },
        ["substitute"] = r =>
        {
            var e = One(r, "Jacobian").Extraction!.Value;
            Same(r, "transfer_success_rate", e.TransferSuccessRate);
            Same(r, "substitute_oracle_agreement", e.SubstituteAgreement);
            Same(r, "oracle_queries", e.OracleQueries);
        },
        ["transfer"] = r => Assert.NotEmpty(Of(r, "Jacobian")),
        ["keyed-transform"] = r =>
        {
            Same(r, "transfer_success_rate_plain", Assert.Single(Of(r, "Jacobian"), x => x.Model == "LeNet-5 plain").Extraction!.Value.TransferSuccessRate);
            Same(r, "transfer_success_rate_keyed", Assert.Single(Of(r, "Jacobian"), x => x.Model == "LeNet-5 keyed").Extraction!.Value.TransferSuccessRate);
            Same(r, "transfer_success_rate_keyed_from_plain_model", One(r, "FGSM").Evasion!.Value.SuccessRate);
        },
        ["lira"] = r =>
        {
            Same(r, "auc", One(r, "LiRA (online)").Membership!.Value.Auc);
            Same(r, "offline.auc", One(r, "LiRA (offline)").Membership!.Value.Auc);
            Same(r, "shadow_auc", One(r, "Shadow").Membership!.Value.Auc);
        },
        ["membership"] = r =>
        {
            Same(r, "auc", Assert.Single(Of(r, "Shadow"), x => x.Model == "overfit target" && x.Defense is null).Membership!.Value.Auc);
            Same(r, "generalising.auc", Assert.Single(Of(r, "Shadow"), x => x.Model == "generalising target").Membership!.Value.Auc);
            // Behind an output defense the attacker's shadows answer through it too, and the record says so.
            var defended = Of(r, "Shadow").Where(x => x.Defense is not null).ToList();
            Assert.NotEmpty(defended);
            Assert.All(defended, x => Assert.True(x.AdaptiveAttacker));
        },
        ["poisoning"] = r =>
        {
            var badNets = Assert.Single(r.Records, x => x.Attack.Name.Contains("BadNets", StringComparison.OrdinalIgnoreCase));
            Same(r, "backdoor.success_rate", badNets.Poisoning!.Value.AttackSuccessRate!.Value);
            Same(r, "backdoor.clean_accuracy", badNets.Poisoning!.Value.CleanAccuracy!.Value);
        },
        ["backdoor-detection"] = r =>
            Same(r, "backdoor.success_rate", Assert.Single(r.Records).Poisoning!.Value.AttackSuccessRate!.Value),
        ["adversarial-training"] = r => DefenseRows(r, "PGD-trained", "PGD-40"),
        ["distillation"] = r => DefenseRows(r, "distilled"),
        ["saturation"] = r => DefenseRows(r, "saturated", "FGSM"),
    };

    /// <summary>Checks the records of <paramref name="name"/>'s report.</summary>
    public static void Check(string name, ReproductionReport report)
    {
        foreach (var record in report.Records)
        {
            Assert.Null(record.Error);
            Assert.Null(record.Skipped);
            var families = new object?[] { record.Evasion, record.Fooling, record.Extraction, record.Membership, record.Poisoning }.Count(f => f is not null);
            Assert.True(families == 1, $"{record.Attack.Name} on {record.Model}: {families} families' metrics");
            Assert.False(string.IsNullOrWhiteSpace(record.Model));
        }
        if (Checks.TryGetValue(name, out var check)) check(report);
        else Assert.Empty(report.Records);
    }

    /// <summary>The defense evaluation's four runs: undefended, defended (non-adaptive), adaptive, transfer, under the report's keys.</summary>
    private static void DefenseRows(ReproductionReport r, string defended, string? settingStart = null)
    {
        var rows = r.Records.Where(x => settingStart is null || x.Setting.StartsWith(settingStart, StringComparison.Ordinal)).ToList();
        var ofDefended = rows.Where(x => x.Model.Contains(defended, StringComparison.Ordinal)).ToList();
        Same(r, "undefended_success_rate", Assert.Single(rows, x => !x.Model.Contains(defended, StringComparison.Ordinal)).Evasion!.Value.SuccessRate);
        Same(r, "defended_success_rate", Assert.Single(ofDefended, x => x.AdaptiveAttacker == false).Evasion!.Value.SuccessRate);
        Same(r, "adaptive_success_rate", Assert.Single(ofDefended, x => x.AdaptiveAttacker == true).Evasion!.Value.SuccessRate);
        Same(r, "transfer_success_rate", Assert.Single(ofDefended, x => x.Goal!.EndsWith("(transfer)", StringComparison.Ordinal)).Evasion!.Value.SuccessRate);
    }

    private static List<AttackRecord> Of(ReproductionReport r, string attack) =>
        r.Records.Where(x => x.Attack.Name.Contains(attack, StringComparison.OrdinalIgnoreCase)).ToList();

    private static AttackRecord One(ReproductionReport r, string attack, string? setting = null) =>
        Assert.Single(Of(r, attack), x => setting is null || x.Setting.StartsWith(setting, StringComparison.Ordinal));

    private static void Same(ReproductionReport r, string key, double recorded)
    {
        Assert.True(r.Metrics.TryGetValue(key, out var value), $"metric {key} missing");
        Assert.True(Math.Abs(value - recorded) <= 1e-9 * Math.Max(1, Math.Abs(value)), $"{key} = {value}, its record says {recorded}");
    }
}
