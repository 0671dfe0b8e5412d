using System.Globalization;
using System.Text;

namespace NeuralShield.Reports;

/// <summary>
/// The report's section for evasion on tabular data: per run judged on valid records, its success with and without
/// the constraints, the fields changed, and each example as a table of the fields that changed (from → to) with the
/// classes before and after — in place of image strips, which mean nothing for a record.
/// </summary>
internal static class TabularExamplesHtml
{
    private static string Percent(double v) => HtmlReport.Percent(v);

    private static string E(string text) => HtmlReport.E(text);

    public static void Append(StringBuilder html, AuditReport report)
    {
        var runs = report.Results.Where(r => r.Tabular is not null && r.Evasion is not null).ToArray();
        if (runs.Length == 0) return;
        html.Append("<h2>Adversarial records (tabular)</h2><table><tr><th>attack</th><th>success unconstrained</th><th>success on valid records</th>")
            .Append("<th>fields changed (mean)</th><th>changed records: label → class before → class after, fields from → to</th></tr>");
        foreach (var r in runs)
        {
            var t = r.Tabular!;
            html.Append("<tr><td>").Append(E($"{r.Model}: {r.Key ?? r.Attack.Name}")).Append("</td><td>").Append(Percent(r.Evasion!.Value.SuccessRate))
                .Append("</td><td>").Append(Percent(t.ConstrainedSuccessRate)).Append("</td><td>")
                .Append(t.MeanChangedFields.ToString("F2", CultureInfo.InvariantCulture)).Append("</td><td>");
            foreach (var x in t.Examples)
            {
                html.Append("<table><tr><th colspan=\"3\">").Append(E($"y={(x.TrueLabel < 0 ? "?" : x.TrueLabel.ToString(CultureInfo.InvariantCulture))} → {x.CleanPredicted} → {x.Predicted}"))
                    .Append("</th></tr>");
                if (x.Changes.Count == 0) html.Append("<tr><td colspan=\"3\" class=\"skip\">no field changed</td></tr>");
                foreach (var c in x.Changes)
                    html.Append("<tr><td>").Append(E(c.Column)).Append("</td><td>").Append(E(c.From)).Append("</td><td>").Append(E(c.To)).Append("</td></tr>");
                html.Append("</table>");
            }
            html.Append("</td></tr>");
        }
        html.Append("</table>");
    }
}
