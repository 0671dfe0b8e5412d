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
    public const int Width = 560;
    public const int Height = 360;

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
        if (series.Count > 1) plot.ShowLegend();
        return Svg(plot);
    }

    /// <summary>ROC curves with a log-scaled false-positive axis (10⁻ᵏ … 1) and the chance diagonal.</summary>
    public static string Roc(string title, IReadOnlyList<PlotSeries> series)
    {
        var plot = new ScottPlot.Plot();
        var minFpr = series.SelectMany(s => s.X).Where(x => x > 0).DefaultIfEmpty(1e-3).Min();
        var low = Math.Floor(Math.Log10(minFpr));
        var chanceX = Enumerable.Range(0, 21).Select(i => low + i * (0 - low) / 20).ToArray();
        var chance = plot.Add.Scatter(chanceX, chanceX.Select(x => Math.Pow(10, x)).ToArray());
        chance.LegendText = "chance";
        chance.LinePattern = ScottPlot.LinePattern.Dashed;
        chance.MarkerSize = 0;
        chance.Color = ScottPlot.Colors.Gray;
        foreach (var s in series)
        {
            var points = s.X.Zip(s.Y).Where(p => p.First > 0).ToArray();
            var line = plot.Add.Scatter(points.Select(p => Math.Log10(p.First)).ToArray(), points.Select(p => p.Second).ToArray());
            line.LegendText = s.Legend;
            line.MarkerSize = 3;
        }
        var ticks = Enumerable.Range(0, (int)(-low) + 1).Select(i => low + i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, ticks.Select(t => Math.Pow(10, t).ToString("0.####", CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimits(low, 0, 0, 1.02);
        plot.Title(title);
        plot.XLabel("false-positive rate (log scale)");
        plot.YLabel("true-positive rate");
        plot.ShowLegend();
        return Svg(plot);
    }

    /// <summary>A heat map of values in [0, 1] with row and column names, each cell labelled with its value.</summary>
    public static string HeatMap(string title, IReadOnlyList<string> rows, IReadOnlyList<string> columns, double[,] values)
    {
        var plot = new ScottPlot.Plot();
        var map = plot.Add.Heatmap(values);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.ManualRange = new ScottPlot.Range(0, 1);
        for (var r = 0; r < rows.Count; r++)
            for (var c = 0; c < columns.Count; c++)
            {
                var text = plot.Add.Text(values[r, c].ToString("P0", CultureInfo.InvariantCulture), c, rows.Count - 1 - r);
                text.LabelFontColor = values[r, c] > 0.5 ? ScottPlot.Colors.Black : ScottPlot.Colors.White;
                text.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
                text.LabelFontSize = 16;
            }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, columns.Count).Select(i => (double)i).ToArray(), columns.Select(c => "on " + c).ToArray());
        plot.Axes.Left.SetTicks(Enumerable.Range(0, rows.Count).Select(i => (double)(rows.Count - 1 - i)).ToArray(), rows.Select(r => "from " + r).ToArray());
        plot.Add.ColorBar(map);
        plot.Title(title);
        return Svg(plot);
    }

    private static string Svg(ScottPlot.Plot plot)
    {
        var svg = plot.GetSvgXml(Width, Height);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        return start > 0 ? svg[start..] : svg;
    }
}
