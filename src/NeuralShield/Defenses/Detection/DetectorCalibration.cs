namespace NeuralShield.Defenses.Detection;

/// <summary>The calibration of a <see cref="StatefulQueryDetector"/>'s threshold on benign queries.</summary>
/// <param name="Threshold">The threshold: the <paramref name="TargetFalsePositiveRate"/> quantile of the benign scores.</param>
/// <param name="TargetFalsePositiveRate">The quantile asked for.</param>
/// <param name="Samples">Benign samples scored.</param>
/// <param name="MedianScore">The median benign score (mean distance to the K nearest), for scale.</param>
public readonly record struct DetectorCalibration(double Threshold, double TargetFalsePositiveRate, int Samples, double MedianScore);
