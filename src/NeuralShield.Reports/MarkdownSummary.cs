using System.Globalization;
using System.Text;

namespace NeuralShield.Reports;

/// <summary>
/// The audit in GitHub-flavoured markdown, for a CI step summary or a pull-request comment: one row per threat with its
/// verdict and deciding number, the gates, the changes against a baseline when there is one, and what the metrics mean.
/// </summary>
public static class MarkdownSummary
{
    /// <summary>The summary of <paramref name="report"/> with <paramref name="gates"/> and, when given, the comparison with a baseline.</summary>
    public static string Render(AuditReport report, IReadOnlyList<GateResult>? gates = null, ReportComparison? comparison = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append("## NeuralShield audit\n\n").Append(Cell(report.Dataset)).Append(" · ")
            .Append(string.Join(", ", report.Models.Select(m => $"{Cell(m.Name)} clean accuracy {ThreatVerdicts.P(m.CleanAccuracy)}"))).Append("\n\n");
        md.Append("| threat | verdict | deciding number | finding | defense |\n|---|---|---|---|---|\n");
        foreach (var v in ThreatVerdicts.Assess(report))
            md.Append($"| {v.Threat} | **{v.Verdict}** | {Value(v)} | {Cell(v.Sentence)} | [{Cell(v.Defense)}]({v.DefensePage}) |\n");
        if (gates is { Count: > 0 })
        {
            md.Append("\n### Gates\n\n| gate | result | detail |\n|---|---|---|\n");
            foreach (var g in gates) md.Append($"| `{g.Gate}` | {(g.Passed ? "PASS" : "**FAIL**")} | {Cell(g.Detail)} |\n");
        }
        if (comparison is not null) Comparison(md, comparison);
        md.Append("\n<details><summary>What the numbers mean</summary>\n\n");
        foreach (var (metric, meaning) in MetricGlossary.Entries) md.Append($"- **{metric}**: {meaning}\n");
        md.Append("\n</details>\n");
        return md.ToString();
    }

    /// <summary>The comparison alone (<c>neuralshield compare</c>): verdict changes, then the runs whose numbers differ.</summary>
    public static string RenderComparison(ReportComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var md = new StringBuilder("## NeuralShield audit comparison\n");
        Comparison(md, comparison);
        return md.ToString();
    }

    private static void Comparison(StringBuilder md, ReportComparison comparison)
    {
        md.Append("\n### Verdicts against the baseline\n\n| threat | baseline | now | deciding number |\n|---|---|---|---|\n");
        foreach (var v in comparison.Verdicts)
            md.Append($"| {v.After.Threat} | {v.Before.Verdict} | {(v.Changed ? $"**{v.After.Verdict}**" : v.After.Verdict)} | {Value(v.Before)} → {Value(v.After)} |\n");
        md.Append("\n### Runs against the baseline\n\n| model | run | metric | baseline | now | change |\n|---|---|---|---|---|---|\n");
        foreach (var r in comparison.Rows)
            md.Append($"| {Cell(r.Model)} | {Cell(r.Key)}{(r.Defense is null ? "" : $" [{Cell(r.Defense)}]")} | {r.Metric} | {Number(r.Before)} | {Number(r.After)} | {Delta(r.Delta)} |\n");
    }

    /// <summary>A deciding number as the card shows it.</summary>
    internal static string Value(ThreatVerdict v) => v.Value is { } x ? ThreatVerdicts.P(x) : "–";

    internal static string Number(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    internal static string Delta(double? d) => d is { } x ? (x >= 0 ? "+" : "−") + Math.Abs(x).ToString("0.000", CultureInfo.InvariantCulture) : "–";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
