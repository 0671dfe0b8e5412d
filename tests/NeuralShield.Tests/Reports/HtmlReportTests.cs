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
        // Evasion: 3 pairs (clean + adversarial each); the fooling "images" are rows of 1×4 features: not drawn.
        Assert.Equal(3 * 2, images.Length);
        foreach (var img in images)
        {
            var src = (string?)img.Attribute("src");
            Assert.NotNull(src);
            Assert.StartsWith("data:image/png;base64,", src);
            var bytes = Convert.FromBase64String(src["data:image/png;base64,".Length..]);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes.Take(4));
        }
        // Success marked: the adversarial images whose class differs from the clean one have the "hit" class.
        Assert.Equal(3, images.Count(i => (string?)i.Attribute("class") == "hit"));
        // Robustness curve, one ROC plot (both LiRA runs share one), poisoning curve; the transfer matrix is a table.
        Assert.Equal(3, document.Descendants(Svg + "svg").Count());
        var transfer = Assert.Single(document.Descendants(Xhtml + "table"), t => (string?)t.Attribute("class") == "transfer");
        Assert.Equal(["substitute", "60.0%", "100.0%"], transfer.Elements(Xhtml + "tr").ElementAt(1).Elements().Select(e => e.Value));
    }

    [Fact]
    public void TheFiveThreatCardsComeFirstWithTheirVerdictsAndDefenseLinks()
    {
        var document = Parse(Render());
        var body = document.Descendants(Xhtml + "body").Single();
        var cards = body.Descendants(Xhtml + "div").Where(d => ((string?)d.Attribute("class"))?.StartsWith("card ", StringComparison.Ordinal) == true).ToArray();
        Assert.Equal(["threat-evasion", "threat-fooling", "threat-membership", "threat-extraction", "threat-poisoning"], cards.Select(c => (string)c.Attribute("id")!));
        Assert.Equal(["card medium", "card high", "card high", "card high", "card high"], cards.Select(c => (string)c.Attribute("class")!));
        Assert.Contains("60.0%", cards[0].Value);
        Assert.Equal("docs/defenses/adversarial-training.md", (string)cards[0].Descendants(Xhtml + "a").Single().Attribute("href")!);
        // The cards and then the gates come before every plot and image.
        var order = body.Descendants().Select(e => e.Name.LocalName == "h2" ? e.Value : e.Name == Svg + "svg" ? "svg" : e.Name == Xhtml + "img" ? "img" : null).OfType<string>().ToList();
        Assert.Equal("Gates", order[0]);
        Assert.True(order.IndexOf("svg") > 0 && order.IndexOf("img") > order.IndexOf("svg"));
        // Every metric of the glossary is on the page.
        Assert.Equal(MetricGlossary.Entries.Count, body.Descendants(Xhtml + "div").Count(d => (string?)d.Parent?.Attribute("class") == "gloss"));
    }

    [Fact]
    public void MembershipIsShownPerClassWithTheMostExposedClassNamed()
    {
        var document = Parse(Render());
        var heading = Assert.Single(document.Descendants(Xhtml + "h2"), h => h.Value == "Membership inference by class");
        Assert.StartsWith("Most exposed: class 1 (LiRA (online): AUC 0.900)", heading.ElementsAfterSelf().First().Value);
        var rows = heading.ElementsAfterSelf(Xhtml + "table").First().Elements(Xhtml + "tr").Select(r => r.Elements().Select(c => c.Value).ToArray()).ToArray();
        Assert.Equal([["class", "members", "LiRA (online)"], ["0", "3", "0.600 / 0.250"], ["1", "2", "0.900 / 0.500"]], rows);
    }

    [Fact]
    public void EveryAttackRunAtSeveralRadiiIsACurveOfTheRobustnessPlotStartingAtTheCleanPoint()
    {
        // The sample runs PGD at two radii (one curve). FGSM at one radius draws nothing; at two radii, a second curve.
        var sample = AuditReportSamples.Full();
        var fgsm = new AttackInfo("FGSM", NeuralShield.AttackFamily.Evasion, NeuralShield.ModelAccess.WhiteBox, null);
        NeuralShield.Metrics.EvasionMetrics Metrics(double success) => new(10, success, 1, 0.1, 0.5, 0.1, 0.1, 10, TimeSpan.Zero);
        var one = sample with { Results = [.. sample.Results, new AttackRecord("mlp", fgsm, "eps=0.1", "untargeted", Evasion: Metrics(0.3)) { Key = "fgsm-0.1" }] };
        var two = one with { Results = [.. one.Results, new AttackRecord("mlp", fgsm, "eps=0.2", "untargeted", Evasion: Metrics(0.6)) { Key = "fgsm-0.2" }] };
        string Robustness(AuditReport report) => Parse(HtmlReport.Render(report, [])).Descendants(Svg + "svg")
            .Select(svg => string.Join("|", svg.Descendants(Svg + "text").Select(t => t.Value.Trim()))).Single(t => t.Contains("Accuracy against ε", StringComparison.Ordinal));
        Assert.DoesNotContain("FGSM", Robustness(one));
        var titles = Robustness(two);
        Assert.True(titles.Contains("|FGSM|", StringComparison.Ordinal) || titles.EndsWith("|FGSM", StringComparison.Ordinal), titles);
        Assert.Contains("PGD L∞", titles);
        // An AutoAttack run at several radii joins the same plot beside PGD.
        var autoAttack = new AttackInfo("AutoAttack", NeuralShield.AttackFamily.Evasion, NeuralShield.ModelAccess.WhiteBox, null);
        var three = two with { Results = [.. two.Results,
            new AttackRecord("mlp", autoAttack, "eps=0.1", "untargeted", Evasion: Metrics(0.5)) { Key = "autoattack-linf-0.1" },
            new AttackRecord("mlp", autoAttack, "eps=0.3", "untargeted", Evasion: Metrics(0.95)) { Key = "autoattack-linf-0.3" }] };
        titles = Robustness(three);
        Assert.Contains("|AutoAttack", titles);
        Assert.Contains("PGD L∞", titles);
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
        // A paper number from another setting is not shown as comparable.
        var fgsm = new AttackRecord("mlp", new AttackInfo("FGSM", NeuralShield.AttackFamily.Evasion, NeuralShield.ModelAccess.WhiteBox, null), "eps=0.1",
            "untargeted") { Key = "fgsm-0.1", PaperResult = "Goodfellow et al. 2015: 89.4% error on MNIST (maxout), eps=0.25" };
        Assert.Equal("paper setting differs: data MNIST, model maxout network, ε = 0.25", PaperSettings.Cell(fgsm, "scikit-learn digits (8x8, [0, 1])"));
        Assert.Equal(fgsm.PaperResult, PaperSettings.Cell(fgsm with { Model = "maxout network", Setting = "eps=0.25" }, "MNIST (/data): 2000 training"));
        Assert.Contains(document.Descendants(Xhtml + "p"), p => p.Value.Contains("toy <data> & more", StringComparison.Ordinal));
    }

    [Fact]
    public void AReportWithoutRunsStillRendersTheModelTable()
    {
        var report = new AuditReport(DateTimeOffset.UnixEpoch, "none", "cpu", 0, [new ModelRecord("m", NeuralShield.ModelAccess.WhiteBox, 1, 1)], []);
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
