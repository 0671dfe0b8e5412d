using System.Globalization;
using System.Net;
using System.Text;

namespace NeuralShield.Reports;

/// <summary>
/// The audit report people look at: one self-contained HTML page (no external URL; plots as inline SVG drawn with
/// ScottPlot, images as inline PNG) that opens on the answer — one card per threat with its verdict, severity, deciding
/// number, a sentence and the defense's page (<see cref="ThreatVerdicts"/>), the gates, and against a baseline the
/// changes — then how the verdicts are decided and what each metric means, the plots (robustness curves with the clean
/// point, membership ROC on log–log axes, poisoning curves), the transfer matrix as a table, a few clean and
/// adversarial images per attack (the rest folded), and every run in a folded table. The page is well-formed XML
/// (XHTML). Each section is one method, called in order from <see cref="Render"/>.
/// </summary>
public static class HtmlReport
{
    /// <summary>Pixels per image pixel in the page's PNGs (an 8×8 digit is drawn 48×48, a 28×28 image 56×56).</summary>
    private static int Scale(int height) => Math.Max(1, 56 / Math.Max(height, 1));

    /// <summary>Images shown per attack before the fold.</summary>
    private const int ShownExamples = 2;

    /// <summary>
    /// The page for <paramref name="report"/>, with <paramref name="gates"/> (may be empty) beside the threat cards and,
    /// when given, the comparison with a baseline audit.
    /// </summary>
    public static string Render(AuditReport report, IReadOnlyList<GateResult>? gates = null, ReportComparison? comparison = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        Head(html, "NeuralShield audit");
        html.Append("<p class=\"meta\">").Append(E($"{report.Dataset} · device {report.Device} · seed {report.Seed} · {report.Created.UtcDateTime:yyyy-MM-dd HH:mm} UTC")).Append("</p>");
        Models(html, report);
        var verdicts = ThreatVerdicts.Assess(report);
        Cards(html, verdicts);
        Gates(html, gates ?? []);
        if (comparison is not null) Comparison(html, comparison);
        Explanations(html, verdicts);
        html.Append("<div class=\"plots\">");
        Robustness(html, report);
        Membership(html, report);
        Poisoning(html, report);
        html.Append("</div>");
        MembershipSlices(html, report);
        Transfer(html, report);
        Examples(html, report);
        TabularExamplesHtml.Append(html, report);
        Fooling(html, report);
        Summary(html, report);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    /// <summary>The page of a comparison alone (<c>neuralshield compare</c>): verdict changes and per-run deltas.</summary>
    public static string RenderComparison(ReportComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var html = new StringBuilder();
        Head(html, "NeuralShield audit comparison");
        html.Append("<p class=\"meta\">").Append(E($"baseline: {comparison.Baseline.Dataset}, {comparison.Baseline.Created.UtcDateTime:yyyy-MM-dd HH:mm} UTC · " +
                                                     $"now: {comparison.Current.Dataset}, {comparison.Current.Created.UtcDateTime:yyyy-MM-dd HH:mm} UTC")).Append("</p>");
        Cards(html, comparison.Verdicts.Select(v => v.After).ToArray());
        Comparison(html, comparison);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Head(StringBuilder html, string title)
    {
        html.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>");
        html.Append("<title>").Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>");
        html.Append("<h1>").Append(E(title)).Append("</h1>");
    }

    /// <summary>Writes <see cref="Render"/> to <paramref name="path"/> (UTF-8).</summary>
    public static void Write(AuditReport report, string path, IReadOnlyList<GateResult>? gates = null, ReportComparison? comparison = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        File.WriteAllText(path, Render(report, gates, comparison), new UTF8Encoding(false));
    }

    private const string Style =
        "body{font-family:DejaVu Sans,Arial,sans-serif;margin:16px 20px;color:#222;max-width:1360px}h1{margin:0 0 4px;font-size:26px}" +
        "h2{font-size:18px;margin:14px 0 6px}" +
        "table{border-collapse:collapse;margin:4px 0 10px}td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px;text-align:left;vertical-align:top}" +
        "th{background:#f0f0f0}.badge{display:inline-block;padding:1px 8px;border-radius:8px;color:#fff;font-weight:bold}" +
        ".pass{background:#2e7d32}.fail{background:#c62828}.skip{color:#888}.meta{color:#555;margin:2px 0 8px;font-size:13px}" +
        ".cards{display:flex;gap:10px;margin:8px 0}.card{flex:1;border:1px solid #bbb;border-top:6px solid #888;border-radius:6px;padding:8px 10px;font-size:13px}" +
        ".card h3{margin:0 0 4px;font-size:15px;display:flex;justify-content:space-between}.card .number{font-size:24px;font-weight:bold}" +
        ".card .metric{color:#555;font-size:11px}.card p{margin:6px 0}.high{border-top-color:#c62828}.medium{border-top-color:#ef6c00}" +
        ".low{border-top-color:#2e7d32}.notassessed{border-top-color:#9e9e9e}.sev{color:#fff;border-radius:8px;padding:0 6px;font-size:11px}" +
        ".sev.high{background:#c62828}.sev.medium{background:#ef6c00}.sev.low{background:#2e7d32}.sev.notassessed{background:#9e9e9e}" +
        ".gloss{columns:2;font-size:12px;margin:4px 0}.gloss div{break-inside:avoid;margin:0 0 2px}.small{font-size:12px}" +
        ".grid{display:flex;flex-wrap:wrap;gap:6px}.cell{font-size:10px;text-align:center}.shot{border:1px solid #ddd;padding:3px}" +
        ".cell img{image-rendering:pixelated;border:2px solid #999;display:block;margin:auto}.cell img.hit{border-color:#c62828}.cell img.held{border-color:#2e7d32}" +
        ".plots{display:flex;flex-wrap:wrap;gap:8px}svg image{image-rendering:pixelated}details{margin:6px 0}summary{cursor:pointer;font-weight:bold}";

    private static void Models(StringBuilder html, AuditReport report)
    {
        html.Append("<table><tr><th>model</th><th>access</th><th>clean accuracy</th><th>test samples</th></tr>");
        foreach (var m in report.Models)
            html.Append("<tr><td>").Append(E(m.Name)).Append("</td><td>").Append(E(Name(m.Access))).Append("</td><td>")
                .Append(Percent(m.CleanAccuracy)).Append("</td><td>").Append(m.TestSamples).Append("</td></tr>");
        html.Append("</table>");
    }

    /// <summary>One card per threat: severity, deciding number, sentence, defense page.</summary>
    private static void Cards(StringBuilder html, IReadOnlyList<ThreatVerdict> verdicts)
    {
        html.Append("<div class=\"cards\">");
        foreach (var v in verdicts)
        {
            var level = v.Severity.ToString().ToLowerInvariant();
            html.Append("<div class=\"card ").Append(level).Append("\" id=\"threat-").Append(v.Threat.ToString().ToLowerInvariant()).Append("\"><h3>")
                .Append(E(ThreatName(v.Threat))).Append("<span class=\"sev ").Append(level).Append("\">").Append(E(v.Verdict)).Append("</span></h3>")
                .Append("<div class=\"number\">").Append(E(MarkdownSummary.Value(v))).Append("</div><div class=\"metric\">").Append(E(v.Metric)).Append("</div>")
                .Append("<p>").Append(E(v.Sentence)).Append("</p><div class=\"small\">Defense: <a href=\"").Append(E(v.DefensePage)).Append("\">")
                .Append(E(v.Defense)).Append("</a></div></div>");
        }
        html.Append("</div>");
    }

    /// <summary>The threat's name on its card.</summary>
    internal static string ThreatName(Threat threat) => threat switch
    {
        Threat.Evasion => "Evasion",
        Threat.Fooling => "Fooling inputs",
        Threat.Membership => "Membership / privacy",
        Threat.Extraction => "Extraction / transfer",
        _ => "Poisoning",
    };

    private static void Gates(StringBuilder html, IReadOnlyList<GateResult> gates)
    {
        html.Append("<div id=\"gates\"><h2>Gates</h2>");
        if (gates.Count == 0) html.Append("<p class=\"small\">No gate was set (audit --fail-under METRIC=BOUND).</p>");
        else
        {
            html.Append("<table><tr><th>gate</th><th>result</th><th>value</th></tr>");
            foreach (var g in gates)
                html.Append("<tr><td>").Append(E(g.Gate.ToString())).Append("</td><td><span class=\"badge ").Append(g.Passed ? "pass\">PASS" : "fail\">FAIL")
                    .Append("</span></td><td>").Append(E(g.Detail)).Append("</td></tr>");
            html.Append("</table>");
        }
        html.Append("</div>");
    }

    private static void Comparison(StringBuilder html, ReportComparison comparison)
    {
        html.Append("<h2>Against the baseline</h2><table><tr><th>threat</th><th>baseline</th><th>now</th><th>deciding number</th></tr>");
        foreach (var v in comparison.Verdicts)
            html.Append("<tr><td>").Append(E(ThreatName(v.After.Threat))).Append("</td><td>").Append(E(v.Before.Verdict)).Append("</td><td")
                .Append(v.Changed ? " class=\"changed\"><b>" + E(v.After.Verdict) + "</b>" : ">" + E(v.After.Verdict)).Append("</td><td>")
                .Append(E($"{MarkdownSummary.Value(v.Before)} → {MarkdownSummary.Value(v.After)}")).Append("</td></tr>");
        html.Append("</table><details><summary>Every run against the baseline</summary><table><tr><th>model</th><th>run</th><th>metric</th><th>baseline</th><th>now</th><th>change</th></tr>");
        foreach (var r in comparison.Rows)
            html.Append("<tr><td>").Append(E(r.Model)).Append("</td><td>").Append(E(r.Key + (r.Defense is null ? "" : $" [{r.Defense}]"))).Append("</td><td>")
                .Append(E(r.Metric)).Append("</td><td>").Append(MarkdownSummary.Number(r.Before)).Append("</td><td>").Append(MarkdownSummary.Number(r.After))
                .Append("</td><td>").Append(E(MarkdownSummary.Delta(r.Delta))).Append("</td></tr>");
        html.Append("</table></details>");
    }

    /// <summary>How each verdict is decided, and one line per metric.</summary>
    private static void Explanations(StringBuilder html, IReadOnlyList<ThreatVerdict> verdicts)
    {
        html.Append("<h2>How the verdicts are decided</h2><table>");
        foreach (var v in verdicts)
            html.Append("<tr><th>").Append(E(ThreatName(v.Threat))).Append("</th><td>").Append(E(v.Thresholds)).Append("</td></tr>");
        html.Append("</table><h2>What the numbers mean</h2><div class=\"gloss\">");
        foreach (var (metric, meaning) in MetricGlossary.Entries) html.Append("<div><b>").Append(E(metric)).Append("</b>: ").Append(E(meaning)).Append("</div>");
        html.Append("</div>");
    }

    private static void Summary(StringBuilder html, AuditReport report)
    {
        html.Append("<details><summary>All runs (").Append(report.Results.Count).Append(")</summary><table><tr><th>model</th><th>key</th><th>attack</th><th>setting</th><th>defense</th><th>ours</th><th>paper</th></tr>");
        foreach (var r in report.Results)
        {
            html.Append("<tr><td>").Append(E(r.Model)).Append("</td><td>").Append(E(r.Key ?? "")).Append("</td><td>").Append(E(r.Attack.Name))
                .Append("</td><td>").Append(E(r.Setting)).Append("</td><td>").Append(E(r.Defense ?? "")).Append("</td><td");
            if (r.Skipped is not null) html.Append(" class=\"skip\">skipped: ").Append(E(r.Skipped));
            else if (r.Error is not null) html.Append(" class=\"skip\">error: ").Append(E(r.Error));
            else html.Append('>').Append(E(ReportTable.Describe(r)));
            html.Append("</td><td>").Append(E(PaperSettings.Cell(r, report.Dataset))).Append("</td></tr>");
        }
        html.Append("</table></details>");
    }

    /// <summary>
    /// One plot of accuracy against ε: a curve per untargeted evasion attack the audit ran at several radii (entry keys
    /// <c>PREFIX-ε</c>: FGSM, PGD, AutoAttack… side by side), each starting at the clean point (ε = 0).
    /// </summary>
    private static void Robustness(StringBuilder html, AuditReport report)
    {
        var series = new List<PlotSeries>();
        var curves = report.Results.Where(r => r.RobustAccuracy is not null && r.Defense is null && r.Key is { } k && Radius(k) is not null)
            .GroupBy(r => (r.Model, Prefix: r.Key![..r.Key!.LastIndexOf('-')]));
        foreach (var curve in curves)
        {
            var points = curve.Select(r => (Eps: Radius(r.Key!)!.Value, Acc: r.RobustAccuracy!.Value)).OrderBy(p => p.Eps).ToList();
            // A curve needs at least two radii.
            if (points.Count < 2) continue;
            var clean = report.Models.FirstOrDefault(m => m.Name == curve.Key.Model)?.CleanAccuracy;
            if (clean is { } c) points.Insert(0, (0, c));
            var name = curve.First().Attack.Name + (report.Models.Count > 1 ? $" ({curve.Key.Model})" : "");
            series.Add(new PlotSeries(name, points.Select(p => p.Eps).ToArray(), points.Select(p => p.Acc).ToArray()));
        }
        if (series.Count > 0) html.Append("<div>").Append(ReportPlots.Lines("Accuracy against ε (ε = 0: clean)", "ε", "accuracy", series)).Append("</div>");
    }

    /// <summary>The ε at the end of an entry key (<c>pgd-linf-0.1</c> → 0.1), when it ends in a number.</summary>
    private static double? Radius(string key)
    {
        var dash = key.LastIndexOf('-');
        return dash > 0 && double.TryParse(key[(dash + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var eps) && eps > 0 ? eps : null;
    }

    /// <summary>A few images per attack (success marked by a red border, a held prediction green), the rest folded.</summary>
    private static void Examples(StringBuilder html, AuditReport report) =>
        ImageTable(html, report.Results.Where(r => r.Evasion is not null), "Clean and adversarial images",
            "clean (label → class) and adversarial (class, confidence); red: the attack changed the class", (x, cell) =>
            {
                if (x.CleanPixels is { } clean)
                    cell(clean, $"y={x.TrueLabel} → {x.CleanPredicted}", null);
                cell(x.Pixels, $"adv → {x.Predicted} ({Percent(x.Confidence)})", x.Predicted != (x.CleanPredicted ?? x.TrueLabel));
            });

    private static void Fooling(StringBuilder html, AuditReport report) =>
        ImageTable(html, report.Results.Where(r => r.Fooling is not null), "Fooling images per class",
            "class asked → class given (confidence); red: the model gave the asked class", (x, cell) =>
                cell(x.Pixels, $"{x.TrueLabel} → {x.Predicted} ({Percent(x.Confidence)})", x.Predicted == x.TrueLabel));

    /// <summary>
    /// A section with a box per run that has image examples: the first <see cref="ShownExamples"/> shown, the others in a
    /// folded block below. Rows of features (one-pixel-high samples) are not drawn as images.
    /// </summary>
    private static void ImageTable(StringBuilder html, IEnumerable<AttackRecord> candidates, string title, string header,
        Action<ImageExample, Action<IReadOnlyList<float>, string, bool?>> show)
    {
        var runs = candidates.Where(r => r.Examples is { Count: > 0 } examples && examples[0].Height > 1).ToArray();
        if (runs.Length == 0) return;
        html.Append("<h2>").Append(E(title)).Append("</h2><p class=\"small\">").Append(E(header)).Append("</p><div class=\"grid\">");
        foreach (var r in runs) Shots(html, r, r.Examples!.Take(ShownExamples), show);
        html.Append("</div>");
        var rest = runs.Where(r => r.Examples!.Count > ShownExamples).ToArray();
        if (rest.Length == 0) return;
        html.Append("<details><summary>More images (").Append(rest.Sum(r => r.Examples!.Count - ShownExamples)).Append(")</summary><div class=\"grid\">");
        foreach (var r in rest) Shots(html, r, r.Examples!.Skip(ShownExamples), show);
        html.Append("</div></details>");
    }

    private static void Shots(StringBuilder html, AttackRecord r, IEnumerable<ImageExample> examples, Action<ImageExample, Action<IReadOnlyList<float>, string, bool?>> show)
    {
        html.Append("<div class=\"shot\"><div class=\"small\">").Append(E($"{r.Model}: {r.Key ?? r.Attack.Name}")).Append("</div><div class=\"grid\">");
        foreach (var x in examples) show(x, (pixels, caption, hit) => Image(html, pixels, x.Height, x.Width, caption, hit));
        html.Append("</div></div>");
    }

    private static void Membership(StringBuilder html, AuditReport report)
    {
        var runs = report.Results.Where(r => r.Roc is { Count: > 0 }).ToArray();
        foreach (var group in runs.GroupBy(r => (r.Model, r.Attack.Name)))
        {
            var series = group.Select(r => new PlotSeries($"{r.Defense ?? "no defense"} (AUC {Number(r.Membership?.Auc ?? double.NaN)})",
                r.Roc!.Select(p => p.FalsePositiveRate).ToArray(), r.Roc!.Select(p => p.TruePositiveRate).ToArray())).ToArray();
            html.Append("<div>").Append(ReportPlots.Roc(report.Models.Count > 1 ? $"{group.Key.Name} ({group.Key.Model})" : group.Key.Name, series)).Append("</div>");
        }
    }

    /// <summary>
    /// Membership inference per class slice, as TensorFlow Privacy's report shows it: one row per class, AUC and
    /// advantage of each attack without an output defense, the most exposed class named first.
    /// </summary>
    private static void MembershipSlices(StringBuilder html, AuditReport report)
    {
        var runs = report.Results.Where(r => r.MembershipByClass is { Count: > 0 } && r.Defense is null).ToArray();
        if (runs.Length == 0) return;
        var classes = runs.SelectMany(r => r.MembershipByClass!.Keys).Distinct().Order().ToArray();
        var worst = runs.SelectMany(r => r.MembershipByClass!.Select(c => (Run: r, Class: c.Key, c.Value.Auc))).MaxBy(c => c.Auc);
        html.Append("<h2>Membership inference by class</h2><p class=\"small\">").Append(E($"Most exposed: class {worst.Class} " +
            $"({worst.Run.Attack.Name}{(report.Models.Count > 1 ? $", {worst.Run.Model}" : "")}: AUC {Number(worst.Auc)}). " +
            "Each cell: AUC / advantage on the candidates of that class."))
            .Append("</p><table><tr><th>class</th><th>members</th>");
        foreach (var r in runs) html.Append("<th>").Append(E(report.Models.Count > 1 ? $"{r.Attack.Name} ({r.Model})" : r.Attack.Name)).Append("</th>");
        html.Append("</tr>");
        foreach (var c in classes)
        {
            var members = runs.Select(r => r.MembershipByClass!.TryGetValue(c, out var m) ? m.Members : 0).Max();
            html.Append("<tr><td>").Append(c).Append("</td><td>").Append(members).Append("</td>");
            foreach (var r in runs)
                html.Append("<td>").Append(r.MembershipByClass!.TryGetValue(c, out var m) ? E($"{Number(m.Auc)} / {Number(m.Advantage)}") : "–").Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</table>");
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
        html.Append("<div>").Append(ReportPlots.Lines("Retrained on poisoned data", "poison fraction", "rate", series)).Append("</div>");
    }

    /// <summary>The transfer matrix as a table of discrete cells, each shaded by its value.</summary>
    private static void Transfer(StringBuilder html, AuditReport report)
    {
        foreach (var r in report.Results.Where(r => r.TransferMatrix is { Count: > 0 }))
        {
            var rows = r.TransferMatrix!.Select(c => c.Source).Distinct().ToArray();
            var columns = r.TransferMatrix!.Select(c => c.Target).Distinct().ToArray();
            html.Append("<h2>Transfer matrix: ").Append(E(r.Key ?? r.Attack.Name)).Append("</h2><table class=\"transfer\"><tr><th>crafted on ↓ / judged on →</th>");
            foreach (var c in columns) html.Append("<th>").Append(E(c)).Append("</th>");
            html.Append("</tr>");
            foreach (var source in rows)
            {
                html.Append("<tr><th>").Append(E(source)).Append("</th>");
                foreach (var target in columns)
                {
                    var cell = r.TransferMatrix!.FirstOrDefault(c => c.Source == source && c.Target == target);
                    if (cell is null) { html.Append("<td>–</td>"); continue; }
                    var shade = (int)Math.Round(255 - 155 * Math.Clamp(cell.SuccessRate, 0, 1));
                    html.Append("<td style=\"background:rgb(255,").Append(shade).Append(',').Append(shade).Append(")\">").Append(Percent(cell.SuccessRate)).Append("</td>");
                }
                html.Append("</tr>");
            }
            html.Append("</table>");
        }
    }

    private static void Image(StringBuilder html, IReadOnlyList<float> pixels, int height, int width, string caption, bool? hit)
    {
        var lower = Math.Min(0f, pixels.Where(float.IsFinite).DefaultIfEmpty(0f).Min());
        var upper = Math.Max(1f, pixels.Where(float.IsFinite).DefaultIfEmpty(1f).Max());
        var png = Png.Greyscale(pixels, height, width, lower, upper, Scale(height));
        html.Append("<div class=\"cell\"><img ").Append(hit switch { true => "class=\"hit\" ", false => "class=\"held\" ", null => "" }).Append("alt=\"")
            .Append(E(caption)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\"/>").Append(E(caption)).Append("</div>");
    }

    private static string Number(double v) => double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    internal static string Percent(double v) => double.IsFinite(v) ? (v * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>Text escaped for XHTML.</summary>
    internal static string E(string text) => WebUtility.HtmlEncode(text);
}
