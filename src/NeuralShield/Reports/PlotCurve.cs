namespace NeuralShield.Reports;

/// <summary>One curve of a <see cref="ReproductionPlot"/>: estimates at x, optionally with the bounds of an interval (drawn dashed).</summary>
/// <param name="Legend">Its legend.</param>
/// <param name="X">The x values.</param>
/// <param name="Y">The estimates, one per x.</param>
/// <param name="Lower">Lower interval bounds, one per x (null: none).</param>
/// <param name="Upper">Upper interval bounds, one per x (null: none).</param>
internal sealed record PlotCurve(string Legend, double[] X, double[] Y, double[]? Lower = null, double[]? Upper = null);
