namespace NeuralShield.Reports;

/// <summary>Draws a reproduction's <see cref="ReproductionPlot"/> with ScottPlot as an SVG file.</summary>
internal static class ReproductionPlotSvg
{
    /// <summary>Writes <paramref name="plot"/> to <paramref name="path"/> (800 × 450): each curve in its colour, its interval bounds dashed.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(ReproductionPlot plot, string path)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var figure = new ScottPlot.Plot();
        figure.Title(plot.Title);
        figure.XLabel(plot.XLabel);
        figure.YLabel(plot.YLabel);
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < plot.Curves.Count; i++)
        {
            var curve = plot.Curves[i];
            var color = palette.GetColor(i);
            figure.Add.Scatter(curve.X, curve.Y, color).LegendText = curve.Legend;
            foreach (var bound in new[] { curve.Lower, curve.Upper })
            {
                if (bound is null) continue;
                var line = figure.Add.Scatter(curve.X, bound, color.WithAlpha(0.5));
                line.MarkerSize = 0;
                line.LinePattern = ScottPlot.LinePattern.Dashed;
            }
        }
        figure.ShowLegend();
        figure.SaveSvg(path, 800, 450);
    }
}
