using System.Globalization;

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
        foreach (var r in report.Results)
        {
            var clean = accuracy.TryGetValue(r.Model, out var a) ? Percent(a) : "";
            if (r.Skipped is not null)
            {
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, "", "skipped: " + r.Skipped, "", "", "", ""]);
                continue;
            }
            if (r.Evasion is { } e)
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, r.Goal ?? "", Percent(e.SuccessRate), Number(e.MeanL2, "F3"), Number(e.MeanLInf, "F3"),
                    e.Queries.ToString(CultureInfo.InvariantCulture), Number(e.Elapsed.TotalSeconds, "F2")]);
            else if (r.Extraction is { } x)
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, r.Goal ?? "", Percent(x.TransferSuccessRate) + $" transfer (substitute {Percent(x.SubstituteAccuracy)})", "", "",
                    x.OracleQueries.ToString(CultureInfo.InvariantCulture), Number(x.Elapsed.TotalSeconds, "F2")]);
            else if (r.Membership is { } m)
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, r.Goal ?? "", $"AUC {Number(m.Auc, "F3")}, TPR@0.1%FPR {Percent(m.TprAt01PctFpr)}", "", "",
                    "", ""]);
            else if (r.Fooling is { } f)
                rows.Add([r.Model, clean, r.Attack.Name, r.Setting, r.Goal ?? "", Percent(f.ReachedThresholdRate) + $" (min conf {Number(f.MinConfidence, "F4")})", "", "",
                    f.Queries.ToString(CultureInfo.InvariantCulture), Number(f.Elapsed.TotalSeconds, "F2")]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return string.Join(Environment.NewLine, rows.Select(r => string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()));
    }

    private static string Percent(double v) => double.IsFinite(v) ? (v * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";

    private static string Number(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
