using System.Globalization;

namespace NeuralShield.Reports;

/// <summary>A line of a plot: its legend and its points.</summary>
/// <param name="Legend">Legend text.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values (as many as <paramref name="X"/>).</param>
internal sealed record PlotSeries(string Legend, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>The report's plots, drawn with ScottPlot as SVG text to inline in the HTML.</summary>
internal static class ReportPlots
{
    public const int Width = 440;
    public const int Height = 340;

    /// <summary>Lines over a linear x axis, y in [0, 1].</summary>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series)
    {
        var plot = new ScottPlot.Plot();
        foreach (var s in series)
        {
            var scatter = plot.Add.Scatter(s.X.ToArray(), s.Y.ToArray());
            scatter.LegendText = s.Legend;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.SetLimitsY(0, 1.02);
        if (series.Count > 1) plot.ShowLegend(ScottPlot.Edge.Bottom);
        return Svg(plot);
    }

    /// <summary>ROC curves on log–log axes (FPR and TPR from 10⁻ᵏ to 1) with the chance diagonal, the legend below the data.</summary>
    public static string Roc(string title, IReadOnlyList<PlotSeries> series) => Svg(RocPlot(title, series));

    /// <summary>The plot of <see cref="Roc"/>: both axes carry log10 of the rate, labelled with the rate.</summary>
    internal static ScottPlot.Plot RocPlot(string title, IReadOnlyList<PlotSeries> series)
    {
        var plot = new ScottPlot.Plot();
        var positive = series.SelectMany(s => s.X.Concat(s.Y)).Where(v => v > 0).DefaultIfEmpty(1e-3).Min();
        var low = Math.Floor(Math.Log10(positive));
        var chance = plot.Add.Scatter(new[] { low, 0.0 }, new[] { low, 0.0 });
        chance.LegendText = "chance (TPR = FPR)";
        chance.LinePattern = ScottPlot.LinePattern.Dashed;
        chance.MarkerSize = 0;
        chance.Color = ScottPlot.Colors.Gray;
        foreach (var s in series)
        {
            var points = s.X.Zip(s.Y).Where(p => p.First > 0 && p.Second > 0).ToArray();
            var line = plot.Add.Scatter(points.Select(p => Math.Log10(p.First)).ToArray(), points.Select(p => Math.Log10(p.Second)).ToArray());
            line.LegendText = s.Legend;
            line.MarkerSize = 4;
            line.LineWidth = 2;
        }
        var ticks = Enumerable.Range(0, (int)(-low) + 1).Select(i => low + i).ToArray();
        var labels = ticks.Select(t => Math.Pow(10, t).ToString("0.####", CultureInfo.InvariantCulture)).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, labels);
        plot.Axes.Left.SetTicks(ticks, labels);
        plot.Axes.SetLimits(low, 0.05, low, 0.05);
        plot.Title(title);
        plot.XLabel("false-positive rate (log)");
        plot.YLabel("true-positive rate (log)");
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        return plot;
    }

    private static string Svg(ScottPlot.Plot plot, int width = Width)
    {
        var svg = plot.GetSvgXml(width, Height);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start > 0 ? svg[start..] : svg;
    }
}
