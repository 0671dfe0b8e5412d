using System.Globalization;
using System.Net;
using System.Text;

namespace NeuralShield.Reports;

/// <summary>
/// The audit report people look at: one self-contained HTML page (no external URL; plots as inline SVG drawn with
/// ScottPlot, images as inline PNG) with the gates' pass/fail badges, a summary table with the papers' numbers beside
/// ours, clean and adversarial images with labels and confidences, the robustness curve (accuracy against ε), the
/// membership inference ROC curves (log-scaled FPR) with and without output defenses, the poison-fraction curves,
/// the fooling images per class and the transfer matrix as a heat map. The page is well-formed XML (XHTML).
/// </summary>
public static class HtmlReport
{
    /// <summary>Pixels per image pixel in the page's PNGs (an 8×8 digit is drawn 64×64, a 28×28 image 112×112).</summary>
    private static int Scale(int height) => Math.Max(1, 112 / Math.Max(height, 1));

    /// <summary>The page for <paramref name="report"/>, with <paramref name="gates"/> (may be empty) at the top.</summary>
    public static string Render(AuditReport report, IReadOnlyList<GateResult>? gates = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>");
        html.Append("<title>NeuralShield audit</title><style>").Append(Style).Append("</style></head><body>");
        html.Append("<h1>NeuralShield audit</h1>");
        html.Append("<p class=\"meta\">").Append(E($"{report.Dataset} · device {report.Device} · seed {report.Seed} · {report.Created.UtcDateTime:yyyy-MM-dd HH:mm} UTC")).Append("</p>");
        Models(html, report);
        if (gates is { Count: > 0 }) Gates(html, gates);
        Summary(html, report);
        Robustness(html, report);
        Examples(html, report);
        TabularExamplesHtml.Append(html, report);
        Membership(html, report);
        Poisoning(html, report);
        Fooling(html, report);
        Transfer(html, report);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    /// <summary>Writes <see cref="Render"/> to <paramref name="path"/> (UTF-8).</summary>
    public static void Write(AuditReport report, string path, IReadOnlyList<GateResult>? gates = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        File.WriteAllText(path, Render(report, gates), new UTF8Encoding(false));
    }

    private const string Style =
        "body{font-family:DejaVu Sans,Arial,sans-serif;margin:24px;color:#222;max-width:1200px}" +
        "table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left;vertical-align:top}" +
        "th{background:#f0f0f0}.badge{display:inline-block;padding:1px 8px;border-radius:8px;color:#fff;font-weight:bold}" +
        ".pass{background:#2e7d32}.fail{background:#c62828}.skip{color:#888}.meta{color:#555}" +
        ".grid{display:flex;flex-wrap:wrap;gap:10px}.cell{font-size:11px;text-align:center}" +
        ".cell img{image-rendering:pixelated;border:1px solid #999;display:block;margin:auto}.plots{display:flex;flex-wrap:wrap;gap:12px}svg image{image-rendering:pixelated}";

    private static void Models(StringBuilder html, AuditReport report)
    {
        html.Append("<table><tr><th>model</th><th>access</th><th>clean accuracy</th><th>test samples</th></tr>");
        foreach (var m in report.Models)
            html.Append("<tr><td>").Append(E(m.Name)).Append("</td><td>").Append(E(Name(m.Access))).Append("</td><td>")
                .Append(Percent(m.CleanAccuracy)).Append("</td><td>").Append(m.TestSamples).Append("</td></tr>");
        html.Append("</table>");
    }

    private static void Gates(StringBuilder html, IReadOnlyList<GateResult> gates)
    {
        html.Append("<h2>Gates</h2><table><tr><th>gate</th><th>result</th><th>value</th></tr>");
        foreach (var g in gates)
            html.Append("<tr><td>").Append(E(g.Gate.ToString())).Append("</td><td><span class=\"badge ").Append(g.Passed ? "pass\">PASS" : "fail\">FAIL")
                .Append("</span></td><td>").Append(E(g.Detail)).Append("</td></tr>");
        html.Append("</table>");
    }

    private static void Summary(StringBuilder html, AuditReport report)
    {
        html.Append("<h2>Summary</h2><table><tr><th>model</th><th>key</th><th>attack</th><th>setting</th><th>defense</th><th>ours</th><th>paper</th></tr>");
        foreach (var r in report.Results)
        {
            html.Append("<tr><td>").Append(E(r.Model)).Append("</td><td>").Append(E(r.Key ?? "")).Append("</td><td>").Append(E(r.Attack.Name))
                .Append("</td><td>").Append(E(r.Setting)).Append("</td><td>").Append(E(r.Defense ?? "")).Append("</td><td");
            if (r.Skipped is not null) html.Append(" class=\"skip\">skipped: ").Append(E(r.Skipped));
            else html.Append('>').Append(E(ReportTable.Describe(r)));
            html.Append("</td><td>").Append(E(r.PaperResult ?? "")).Append("</td></tr>");
        }
        html.Append("</table>");
    }

    /// <summary>The L∞ attacks the audit runs at several ε (entry keys <c>PREFIX-ε</c>): one robustness curve each.</summary>
    private static readonly (string Prefix, string Title)[] CurveAttacks = [("fgsm-", "FGSM (L∞)"), ("pgd-linf-", "PGD (L∞)")];

    private static void Robustness(StringBuilder html, AuditReport report)
    {
        var plots = new StringBuilder();
        foreach (var (prefix, title) in CurveAttacks)
        {
            var series = new List<PlotSeries>();
            foreach (var model in report.Models)
            {
                var points = report.Results.Where(r => r.Model == model.Name && r.Key is { } k && k.StartsWith(prefix, StringComparison.Ordinal) && r.RobustAccuracy is not null)
                    .Select(r => (Eps: double.Parse(r.Key![prefix.Length..], CultureInfo.InvariantCulture), Acc: r.RobustAccuracy!.Value))
                    .OrderBy(p => p.Eps).ToList();
                // A curve needs at least two radii.
                if (points.Count < 2) continue;
                points.Insert(0, (0, model.CleanAccuracy));
                series.Add(new PlotSeries(model.Name, points.Select(p => p.Eps).ToArray(), points.Select(p => p.Acc).ToArray()));
            }
            if (series.Count > 0) plots.Append(ReportPlots.Lines($"{title}: accuracy against ε", "ε (L∞)", "accuracy", series));
        }
        if (plots.Length > 0) html.Append("<h2>Robustness curves</h2>").Append(plots);
    }

    private static void Examples(StringBuilder html, AuditReport report) =>
        ImageTable(html, report.Results.Where(r => r.Evasion is not null), "Clean and adversarial images",
            "clean (label → class, confidence) and adversarial (class, confidence)", (x, cell) =>
            {
                if (x.CleanPixels is { } clean)
                    cell(clean, $"y={x.TrueLabel} → {x.CleanPredicted} ({Percent(x.CleanConfidence ?? double.NaN)})");
                cell(x.Pixels, $"adv → {x.Predicted} ({Percent(x.Confidence)})");
            });

    private static void Fooling(StringBuilder html, AuditReport report) =>
        ImageTable(html, report.Results.Where(r => r.Fooling is not null), "Fooling images per class",
            "one input per class (class asked → class given, confidence)", (x, cell) => cell(x.Pixels, $"{x.TrueLabel} → {x.Predicted} ({Percent(x.Confidence)})"));

    /// <summary>A section with a row of images per run that has examples; <paramref name="show"/> draws an example's cells.</summary>
    private static void ImageTable(StringBuilder html, IEnumerable<AttackRecord> candidates, string title, string header,
        Action<ImageExample, Action<IReadOnlyList<float>, string>> show)
    {
        var runs = candidates.Where(r => r.Examples is { Count: > 0 }).ToArray();
        if (runs.Length == 0) return;
        html.Append("<h2>").Append(E(title)).Append("</h2><table><tr><th>attack</th><th>").Append(E(header)).Append("</th></tr>");
        foreach (var r in runs)
        {
            html.Append("<tr><td>").Append(E($"{r.Model}: {r.Key ?? r.Attack.Name}")).Append("</td><td><div class=\"grid\">");
            foreach (var x in r.Examples!) show(x, (pixels, caption) => Image(html, pixels, x.Height, x.Width, caption));
            html.Append("</div></td></tr>");
        }
        html.Append("</table>");
    }

    private static void Membership(StringBuilder html, AuditReport report)
    {
        var runs = report.Results.Where(r => r.Roc is { Count: > 0 }).ToArray();
        if (runs.Length == 0) return;
        html.Append("<h2>Membership inference ROC</h2><div class=\"plots\">");
        foreach (var group in runs.GroupBy(r => (r.Model, r.Attack.Name)))
        {
            var series = group.Select(r => new PlotSeries(r.Defense ?? "no defense", r.Roc!.Select(p => p.FalsePositiveRate).ToArray(),
                r.Roc!.Select(p => p.TruePositiveRate).ToArray())).ToArray();
            html.Append("<div>").Append(ReportPlots.Roc($"{group.Key.Name} ({group.Key.Model})", series)).Append("</div>");
        }
        html.Append("</div>");
    }

    private static void Poisoning(StringBuilder html, AuditReport report)
    {
        var runs = report.Results.Where(r => r.Poisoning is { CleanAccuracy: not null }).ToArray();
        if (runs.Length == 0) return;
        var series = new List<PlotSeries>();
        foreach (var group in runs.GroupBy(r => (r.Model, r.Attack.Name)))
        {
            var ordered = group.OrderBy(r => r.Poisoning!.Value.PoisonFraction).ToArray();
            var x = ordered.Select(r => r.Poisoning!.Value.PoisonFraction).ToArray();
            series.Add(new PlotSeries($"{group.Key.Name}: accuracy", x, ordered.Select(r => r.Poisoning!.Value.CleanAccuracy!.Value).ToArray()));
            if (ordered.All(r => r.Poisoning!.Value.AttackSuccessRate is not null))
                series.Add(new PlotSeries($"{group.Key.Name}: backdoor success", x, ordered.Select(r => r.Poisoning!.Value.AttackSuccessRate!.Value).ToArray()));
        }
        html.Append("<h2>Poisoning sensitivity</h2>").Append(ReportPlots.Lines("Retrained on poisoned data", "poison fraction", "rate", series));
    }

    private static void Transfer(StringBuilder html, AuditReport report)
    {
        foreach (var r in report.Results.Where(r => r.TransferMatrix is { Count: > 0 }))
        {
            var rows = r.TransferMatrix!.Select(c => c.Source).Distinct().ToArray();
            var columns = r.TransferMatrix!.Select(c => c.Target).Distinct().ToArray();
            var values = new double[rows.Length, columns.Length];
            foreach (var c in r.TransferMatrix!) values[Array.IndexOf(rows, c.Source), Array.IndexOf(columns, c.Target)] = c.SuccessRate;
            html.Append("<h2>Transfer matrix</h2>").Append(ReportPlots.HeatMap($"{r.Key ?? r.Attack.Name}: success of adversarial examples", rows, columns, values));
        }
    }

    private static void Image(StringBuilder html, IReadOnlyList<float> pixels, int height, int width, string caption)
    {
        var lower = Math.Min(0f, pixels.Where(float.IsFinite).DefaultIfEmpty(0f).Min());
        var upper = Math.Max(1f, pixels.Where(float.IsFinite).DefaultIfEmpty(1f).Max());
        var png = Png.Greyscale(pixels, height, width, lower, upper, Scale(height));
        html.Append("<div class=\"cell\"><img alt=\"").Append(E(caption)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png))
            .Append("\"/>").Append(E(caption)).Append("</div>");
    }

    internal static string Percent(double v) => double.IsFinite(v) ? (v * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>Text escaped for XHTML.</summary>
    internal static string E(string text) => WebUtility.HtmlEncode(text);
}
