namespace NeuralShield.Reports;

/// <summary>Plain-text tables of reports, for terminals and logs.</summary>
public static class ReportTable
{
    /// <summary>One row per attack run: model, attack, setting, goal, headline number, distances, queries and time.</summary>
    public static string Format(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var accuracy = report.Models.ToDictionary(m => m.Name, m => m.CleanAccuracy);
        var rows = new List<string[]> { new[] { "model", "clean acc", "attack", "setting", "goal", "success", "mean L2", "mean Linf", "queries", "time (s)" } };
        foreach (var run in report.Results)
        {
            var r = run.Defense is null ? run : run with { Setting = $"{run.Setting} [{run.Defense}]" };
            var clean = accuracy.TryGetValue(r.Model, out var a) ? Percent(a) : "";
            if (r.Skipped is not null)
            {
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, "", "skipped: " + r.Skipped, "", "", "", ""]);
                continue;
            }
            if (r.Evasion is { } e)
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, r.Goal ?? "", Percent(e.SuccessRate) + Constrained(r.Tabular), Number(e.MeanL2, "F3"), Number(e.MeanLInf, "F3"),
                    e.Queries.ToString(CultureInfo.InvariantCulture), Number(e.Elapsed.TotalSeconds, "F2")]);
            else if (r.Extraction is { } x)
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, r.Goal ?? "", Percent(x.TransferSuccessRate) + $" transfer (substitute {Percent(x.SubstituteAccuracy)})", "", "",
                    x.OracleQueries.ToString(CultureInfo.InvariantCulture), Number(x.Elapsed.TotalSeconds, "F2")]);
            else if (r.Membership is { } m)
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, r.Goal ?? "", $"AUC {Number(m.Auc, "F3")}, TPR@0.1%FPR {Percent(m.TprAt01PctFpr)}", "", "",
                    "", ""]);
            else if (r.Poisoning is not null)
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, r.Goal ?? "", Describe(r), "", "", "", ""]);
            else if (r.Fooling is { } f)
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, r.Goal ?? "", Percent(f.ReachedThresholdRate) + $" (min conf {Number(f.MinConfidence, "F4")})", "", "",
                    f.Queries.ToString(CultureInfo.InvariantCulture), Number(f.Elapsed.TotalSeconds, "F2")]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return string.Join(Environment.NewLine, rows.Select(r => string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()));
    }

    /// <summary>A run's result in words (success, robust accuracy, AUC, transfer, accuracy after poisoning…); empty for a skipped run.</summary>
    public static string Describe(AttackRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return DescribeRun(r);
    }

    /// <summary>An evasion run's success on valid records and the fields it changed, when judged with a schema.</summary>
    private static string Constrained(TabularEvasion? t) => t is null ? "" :
        $"; on valid records success {Percent(t.ConstrainedSuccessRate)}, {t.MeanChangedFields.ToString("F1", CultureInfo.InvariantCulture)} fields changed";

    private static string DescribeRun(AttackRecord r)
    {
        if (r.Evasion is { } e)
            return $"success {Percent(e.SuccessRate)}" + (r.RobustAccuracy is { } a ? $", robust accuracy {Percent(a)}" : "") +
                   (double.IsFinite(e.MeanL2) ? $", mean L2 {e.MeanL2.ToString("F3", CultureInfo.InvariantCulture)}" : "") + Constrained(r.Tabular);
        if (r.Fooling is { } f) return $"{Percent(f.ReachedThresholdRate)} reach the confidence threshold";
        if (r.Membership is { } m)
            return $"AUC {m.Auc.ToString("F3", CultureInfo.InvariantCulture)}, advantage {m.Advantage.ToString("F3", CultureInfo.InvariantCulture)}, TPR@1%FPR {Percent(m.TprAt1PctFpr)}";
        if (r.Extraction is { } x) return $"transfer {Percent(x.TransferSuccessRate)}, substitute accuracy {Percent(x.SubstituteAccuracy)}, agreement {Percent(x.SubstituteAgreement)}, {x.OracleQueries} queries";
        if (r.Poisoning is { } p)
            return $"{p.PoisonedCount} poisoned ({Percent(p.PoisonFraction)}), accuracy after {Percent(p.CleanAccuracy ?? double.NaN)}" +
                   (p.AttackSuccessRate is { } s ? $", backdoor success {Percent(s)}" : "");
        return "";
    }

    private static string Percent(double v) => double.IsFinite(v) ? (v * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";

    private static string Number(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
