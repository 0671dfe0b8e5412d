namespace NeuralShield.Reports;

/// <summary>Plain-text tables of reports, for terminals and logs.</summary>
public static class ReportTable
{
    /// <summary>The width the tables fit: a 120-column terminal.</summary>
    private const int Width = 120;

    /// <summary>
    /// One line per model (access, clean accuracy), then one row per attack run — model (when there are several), entry
    /// key, result in words, queries and time — at most <see cref="Width"/> characters wide (the result wraps).
    /// </summary>
    public static string Format(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var many = report.Models.Count > 1;
        var header = new List<string> { "key", "result", "queries", "time (s)" };
        if (many) header.Insert(0, "model");
        var rows = new List<string[]> { header.ToArray() };
        foreach (var r in report.Results)
        {
            var (queries, seconds) = r.Evasion is { } e ? (e.Queries.ToString(CultureInfo.InvariantCulture), e.Elapsed.TotalSeconds)
                : r.Fooling is { } f ? (f.Queries.ToString(CultureInfo.InvariantCulture), f.Elapsed.TotalSeconds)
                : r.Extraction is { } x ? (x.OracleQueries.ToString(CultureInfo.InvariantCulture), x.Elapsed.TotalSeconds)
                : ("", double.NaN);
            var result = r.Skipped is not null ? "skipped: " + r.Skipped : r.Error is not null ? "error: " + r.Error : DescribeRun(r);
            var row = new List<string> { r.Key ?? r.Attack.Name, result, queries, double.IsFinite(seconds) ? Number(seconds, "F2") : "" };
            if (many) row.Insert(0, r.Model);
            rows.Add(row.ToArray());
        }
        var models = report.Models.Select(m => $"{m.Name} ({m.Access.ToString().ToLowerInvariant()}): clean accuracy {Percent(m.CleanAccuracy)} on {m.TestSamples} test samples");
        return string.Join(Environment.NewLine, models.Select(m => TextTable.Wrap(m, Width)[0]).Append(TextTable.Format(rows, Width)));
    }

    /// <summary>Rows of cells (the first is the header) as a table of at most 120 columns; the widest column wraps when needed.</summary>
    internal static string FormatRows(IReadOnlyList<string[]> rows) => TextTable.Format(rows, Width);

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
