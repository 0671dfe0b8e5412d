namespace NeuralShield.Reports;

/// <summary>A line plot a reproduction asks its caller to draw.</summary>
/// <param name="File">File name to write it to (relative to the current folder).</param>
/// <param name="Title">Title.</param>
/// <param name="XLabel">Label of the x axis.</param>
/// <param name="YLabel">Label of the y axis.</param>
/// <param name="Curves">The curves, each with its legend.</param>
internal sealed record ReproductionPlot(string File, string Title, string XLabel, string YLabel, IReadOnlyList<PlotCurve> Curves);
