using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

/// <summary>The ROC plot: both axes logarithmic (each tick at log10 of its label), the points at log10 of the rates, the chance diagonal, AUC in the labels.</summary>
public class ReportPlotTests
{
    [Fact]
    public void RocPlotsHaveBothAxesLogarithmic()
    {
        var series = new[] { new PlotSeries("no defense (AUC 0.700)", [0.001, 0.01, 0.1, 1], [0.02, 0.05, 0.3, 1]) };
        var plot = ReportPlots.RocPlot("LiRA", series);
        plot.GetSvgXml(ReportPlots.Width, ReportPlots.Height);
        foreach (var axis in new ScottPlot.IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            var ticks = axis.TickGenerator.Ticks.Where(t => t.IsMajor).ToArray();
            Assert.Equal(["0.001", "0.01", "0.1", "1"], ticks.Select(t => t.Label));
            Assert.All(ticks, t => Assert.Equal(Math.Log10(double.Parse(t.Label, System.Globalization.CultureInfo.InvariantCulture)), t.Position, 12));
        }
        var scatters = plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToArray();
        Assert.Equal(["chance (TPR = FPR)", "no defense (AUC 0.700)"], scatters.Select(s => s.LegendText));
        var points = scatters[1].Data.GetScatterPoints();
        Assert.Equal([Math.Log10(0.001), Math.Log10(0.01), Math.Log10(0.1), 0], points.Select(p => p.X));
        Assert.Equal([Math.Log10(0.02), Math.Log10(0.05), Math.Log10(0.3), 0], points.Select(p => p.Y));
        // The chance line is the diagonal TPR = FPR.
        Assert.All(scatters[0].Data.GetScatterPoints(), p => Assert.Equal(p.X, p.Y));
    }

    [Fact]
    public void TheReportLabelsEachRocCurveWithItsAuc()
    {
        var svg = HtmlReport.Render(AuditReportSamples.Full());
        Assert.Contains("no defense (AUC 0.700)", svg);
        Assert.Contains("Top-1 output (AUC 0.550)", svg);
    }
}
