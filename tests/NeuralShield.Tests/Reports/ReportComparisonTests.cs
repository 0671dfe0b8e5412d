using System.Xml;
using System.Xml.Linq;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using NeuralShield.Attacks;
using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

/// <summary>
/// <see cref="ReportComparison"/>, <see cref="MarkdownSummary"/> and <see cref="JUnitGates"/>: a defense that lowers the
/// membership AUC shows the delta and the changed verdict in the HTML and markdown diffs; the markdown summary and the
/// JUnit XML parse (Markdig, an XML parser) into the verdicts and one test case per gate.
/// </summary>
public class ReportComparisonTests
{
    private static AuditReport Audit(string model, double tpr, double auc) =>
        new(DateTimeOffset.UnixEpoch, "digits", "cpu", 0, [new ModelRecord(model, ModelAccess.WhiteBox, 0.95, 100)], [ThreatVerdictTests.Membership(tpr, auc, model: model)]);

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().Build();

    /// <summary>Each pipe table of <paramref name="markdown"/> as rows of cell texts (header first).</summary>
    internal static List<string[][]> Tables(string markdown) => Markdown.Parse(markdown, Pipeline).Descendants<Table>()
        .Select(t => t.OfType<TableRow>().Select(r => r.OfType<TableCell>().Select(c => Text(c).Trim()).ToArray()).ToArray()).ToList();

    private static string Text(Block block) => block switch
    {
        LeafBlock leaf => string.Concat(leaf.Inline?.Descendants<Markdig.Syntax.Inlines.LiteralInline>().Select(l => l.Content.ToString())
                                        .Concat(leaf.Inline.Descendants<Markdig.Syntax.Inlines.CodeInline>().Select(c => c.Content)) ?? []),
        ContainerBlock container => string.Concat(container.Select(Text)),
        _ => "",
    };

    [Fact]
    public void ADefenseThatLowersMembershipAucShowsTheDeltaAndTheChangedVerdict()
    {
        // Before: LiRA finds 2% of members at 0.1% FPR (20× chance, high), AUC 0.70. After DP-SGD (a retrained model under
        // another name): 0.1% (chance, low), AUC 0.52.
        var comparison = ReportComparison.Of(Audit("mlp", 0.02, 0.70), Audit("mlp-dpsgd", 0.001, 0.52));
        var auc = Assert.Single(comparison.Rows, r => r.Metric == "AUC");
        Assert.Equal(("membership-lira", 0.70, 0.52), (auc.Key, auc.Before!.Value, auc.After!.Value));
        Assert.Equal(-0.18, auc.Delta!.Value, 12);
        var membership = Assert.Single(comparison.Verdicts, v => v.Changed);
        Assert.Equal((Threat.Membership, Severity.High, Severity.Low), (membership.After.Threat, membership.Before.Severity, membership.After.Severity));

        var tables = Tables(MarkdownSummary.RenderComparison(comparison));
        var verdictRow = Assert.Single(tables[0].Skip(1), r => r[0] == "Membership");
        Assert.Equal(["Membership", "at risk", "low risk", "2.0% → 0.1%"], verdictRow);
        var aucRow = Assert.Single(tables[1].Skip(1), r => r[2] == "AUC");
        Assert.Equal(["mlp-dpsgd", "membership-lira", "AUC", "0.700", "0.520", "−0.180"], aucRow);

        var html = XDocument.Load(XmlReader.Create(new StringReader(HtmlReport.RenderComparison(comparison)), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }));
        XNamespace x = "http://www.w3.org/1999/xhtml";
        var changed = Assert.Single(html.Descendants(x + "td"), td => (string?)td.Attribute("class") == "changed");
        Assert.Equal("low risk", changed.Value);
        Assert.Contains(html.Descendants(x + "tr"), tr => tr.Elements(x + "td").Select(td => td.Value).SequenceEqual(["mlp-dpsgd", "membership-lira", "AUC", "0.700", "0.520", "−0.180"]));
    }

    [Fact]
    public void TheMarkdownSummaryParsesIntoOneRowPerThreatAndPerGate()
    {
        var report = AuditReportSamples.Full();
        var gates = new[] { AuditGate.Parse("membership_auc=0.6").Check(report), AuditGate.Parse("clean_accuracy=0.5").Check(report) };
        var tables = Tables(MarkdownSummary.Render(report, gates));
        Assert.Equal(["threat", "verdict", "deciding number", "finding", "defense"], tables[0][0]);
        Assert.Equal(Enum.GetNames<Threat>(), tables[0].Skip(1).Select(r => r[0]));
        Assert.Equal(["some risk", "at risk", "at risk", "at risk", "at risk"], tables[0].Skip(1).Select(r => r[1]));
        Assert.Equal("60.0%", tables[0][1][2]);
        Assert.Equal([["membership_auc=0.6", "FAIL"], ["clean_accuracy=0.5", "PASS"]], tables[1].Skip(1).Select(r => r[..2]));
    }

    [Fact]
    public void JUnitHasOneTestCasePerGateAndAFailureForEachMissedOne()
    {
        var report = AuditReportSamples.Full();
        var gates = new[] { AuditGate.Parse("membership_auc=0.6").Check(report), AuditGate.Parse("clean_accuracy=0.5").Check(report), AuditGate.Parse("transfer_success=0.5").Check(report) };
        var document = XDocument.Parse(JUnitGates.Render(gates));
        var suite = Assert.Single(document.Root!.Elements("testsuite"));
        Assert.Equal(("3", "2"), ((string)suite.Attribute("tests")!, (string)suite.Attribute("failures")!));
        var cases = suite.Elements("testcase").ToArray();
        Assert.Equal(["membership_auc=0.6", "clean_accuracy=0.5", "transfer_success=0.5"], cases.Select(c => (string)c.Attribute("name")!));
        Assert.Equal([true, false, true], cases.Select(c => c.Element("failure") is not null));
        Assert.Contains("membership_auc = 0.7 > 0.6", (string)cases[0].Element("failure")!.Attribute("message")!);
    }
}
