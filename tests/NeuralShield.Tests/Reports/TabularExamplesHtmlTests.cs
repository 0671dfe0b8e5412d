using System.Xml;
using System.Xml.Linq;
using NeuralShield.Attacks;
using NeuralShield.Metrics;
using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

/// <summary>Tabular adversarials in the HTML page and the table: changed fields, not image strips.</summary>
public class TabularExamplesHtmlTests
{
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";

    private static AuditReport Report()
    {
        var fgsm = new AttackInfo("FGSM", AttackFamily.Evasion, ModelAccess.WhiteBox, null);
        var tabular = new TabularEvasion(0.25, 1.5, 2,
        [
            new TabularExample(0, 0, 1, [new FieldChange("hours-per-week", "40", "45"), new FieldChange("occupation", "Sales", "Exec-managerial")]),
            new TabularExample(1, 1, 1, []),
        ]);
        return new AuditReport(DateTimeOffset.UnixEpoch, "adult", "cpu", 0, [new ModelRecord("mlp", ModelAccess.WhiteBox, 0.85, 4)],
        [
            new AttackRecord("mlp", fgsm, "eps=0.1", "untargeted", Evasion: new EvasionMetrics(4, 0.75, 10, 0.1, 0.5, 0.1, 0.1, 4, TimeSpan.Zero))
                { Key = "fgsm-0.1", Tabular = tabular },
        ]);
    }

    [Fact]
    public void Changed_fields_are_a_table_with_both_success_rates_and_no_image()
    {
        var html = HtmlReport.Render(Report());
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        var document = XDocument.Load(reader);
        Assert.Empty(document.Descendants(Xhtml + "img"));
        var cells = document.Descendants(Xhtml + "td").Select(td => td.Value).ToArray();
        Assert.Contains("75.0%", cells);
        Assert.Contains("25.0%", cells);
        Assert.Contains("1.50", cells);
        var row = document.Descendants(Xhtml + "tr").Single(tr => tr.Elements(Xhtml + "td").FirstOrDefault()?.Value == "occupation");
        Assert.Equal(["occupation", "Sales", "Exec-managerial"], row.Elements(Xhtml + "td").Select(td => td.Value));
        Assert.Contains("no field changed", cells);
        Assert.Contains("on valid records success 25.0%, 1.5 fields changed", ReportTable.Describe(Report().Results[0]));
        // The 120-column table wraps the result cell: its words, in order, with the other columns' cells between.
        var table = ReportTable.Format(Report());
        Assert.True(table.IndexOf("75.0%", StringComparison.Ordinal) < table.IndexOf("on valid", StringComparison.Ordinal), table);
        Assert.Contains("25.0%", table);
    }
}
