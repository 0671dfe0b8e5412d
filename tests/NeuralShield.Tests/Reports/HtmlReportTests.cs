using System.Xml;
using System.Xml.Linq;
using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

/// <summary>
/// <see cref="HtmlReport"/>: one well-formed XHTML page that embeds every image as an inline PNG, draws every plot as
/// inline SVG, shows the gates' badges and the papers' numbers, escapes text, and references no external URL.
/// </summary>
public class HtmlReportTests
{
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    private static string Render() => HtmlReport.Render(AuditReportSamples.Full(),
        [AuditGate.Parse("membership_auc=0.6").Check(AuditReportSamples.Full()), AuditGate.Parse("clean_accuracy=0.5").Check(AuditReportSamples.Full())]);

    [Fact]
    public void ThePageIsWellFormedAndEmbedsEveryImageAsAPng()
    {
        var document = Parse(Render());
        var images = document.Descendants(Xhtml + "img").ToArray();
        // Evasion: 3 pairs (clean + adversarial each); fooling: 2 inputs.
        Assert.Equal(3 * 2 + 2, images.Length);
        foreach (var img in images)
        {
            var src = (string?)img.Attribute("src");
            Assert.NotNull(src);
            Assert.StartsWith("data:image/png;base64,", src);
            var bytes = Convert.FromBase64String(src["data:image/png;base64,".Length..]);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes.Take(4));
        }
        // Robustness curve, two ROC plots (one per attack: both LiRA runs share one), poisoning curve, transfer heat map.
        var plots = document.Descendants(Svg + "svg").Count();
        Assert.Equal(4, plots);
    }

    [Fact]
    public void EachAttackRunAtSeveralRadiiGetsItsOwnRobustnessCurve()
    {
        // The sample runs PGD at two radii (one curve). FGSM at one radius draws nothing; at two radii, a second curve.
        var sample = AuditReportSamples.Full();
        var fgsm = new AttackInfo("FGSM", NeuralShield.Attacks.AttackFamily.Evasion, NeuralShield.Attacks.ModelAccess.WhiteBox, null);
        NeuralShield.Metrics.EvasionMetrics Metrics(double success) => new(10, success, 1, 0.1, 0.5, 0.1, 0.1, 10, TimeSpan.Zero);
        var one = sample with { Results = [.. sample.Results, new AttackRecord("mlp", fgsm, "eps=0.1", "untargeted", Evasion: Metrics(0.3)) { Key = "fgsm-0.1" }] };
        var two = one with { Results = [.. one.Results, new AttackRecord("mlp", fgsm, "eps=0.2", "untargeted", Evasion: Metrics(0.6)) { Key = "fgsm-0.2" }] };
        string[] Titles(AuditReport report) => Parse(HtmlReport.Render(report, [])).Descendants(Svg + "svg")
            .Select(svg => string.Concat(svg.Descendants(Svg + "text").Select(t => t.Value))).ToArray();
        Assert.Equal(4, Titles(one).Length);
        var titles = Titles(two);
        Assert.Equal(5, titles.Length);
        Assert.Contains(titles, t => t.Contains("FGSM (L∞): accuracy against ε", StringComparison.Ordinal));
        Assert.Contains(titles, t => t.Contains("PGD (L∞): accuracy against ε", StringComparison.Ordinal));
    }

    [Fact]
    public void NoExternalUrlIsReferenced()
    {
        var document = Parse(Render());
        foreach (var attribute in document.Descendants().Attributes().Where(a => !a.IsNamespaceDeclaration))
        {
            var value = attribute.Value.Trim();
            Assert.False(value.Contains("://", StringComparison.Ordinal) || value.StartsWith("//", StringComparison.Ordinal),
                $"{attribute.Parent?.Name.LocalName}@{attribute.Name}: {value}");
        }
        foreach (var style in document.Descendants(Xhtml + "style")) Assert.DoesNotContain("url(", style.Value);
        Assert.Empty(document.Descendants(Xhtml + "script"));
        Assert.Empty(document.Descendants(Xhtml + "link"));
    }

    [Fact]
    public void GatesHaveBadgesAndThePapersNumbersStandBesideOurs()
    {
        var document = Parse(Render());
        var badges = document.Descendants(Xhtml + "span").Where(s => ((string?)s.Attribute("class"))?.StartsWith("badge", StringComparison.Ordinal) == true)
            .Select(s => s.Value).ToArray();
        Assert.Equal(["FAIL", "PASS"], badges);
        var summaryRow = document.Descendants(Xhtml + "tr").First(r => r.Elements(Xhtml + "td").Any(td => td.Value == "pgd-linf-0.1"));
        var cells = summaryRow.Elements(Xhtml + "td").Select(td => td.Value).ToArray();
        Assert.Contains(cells, c => c.Contains("robust accuracy 60.0%", StringComparison.Ordinal));
        Assert.Equal("paper: 3.5%", cells[^1]);
        Assert.Contains(document.Descendants(Xhtml + "p"), p => p.Value.Contains("toy <data> & more", StringComparison.Ordinal));
    }

    [Fact]
    public void AReportWithoutRunsStillRendersTheModelTable()
    {
        var report = new AuditReport(DateTimeOffset.UnixEpoch, "none", "cpu", 0, [new ModelRecord("m", NeuralShield.Attacks.ModelAccess.WhiteBox, 1, 1)], []);
        var document = Parse(HtmlReport.Render(report));
        Assert.Empty(document.Descendants(Xhtml + "img"));
        Assert.Empty(document.Descendants(Svg + "svg"));
        Assert.Contains(document.Descendants(Xhtml + "td"), td => td.Value == "m");
    }

    [Fact]
    public void PngHasTheScaledSizeAndRefusesAMismatchedValueCount()
    {
        var png = Png.Greyscale([0f, 1f, 0.5f, 2f], 2, 2, 0f, 1f, 3);
        Assert.Equal(6, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(6, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Throws<ArgumentException>(() => Png.Greyscale([0f], 2, 2, 0f, 1f, 1));
    }
}
