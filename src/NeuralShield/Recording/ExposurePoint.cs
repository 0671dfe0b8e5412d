namespace NeuralShield.Recording;

/// <summary>Exposure after <paramref name="Updates"/> on-line updates.</summary>
/// <param name="Updates">Updates made so far.</param>
/// <param name="CanaryMean">Mean exposure of the inserted canaries (bits).</param>
/// <param name="CanaryMin">The smallest of them.</param>
/// <param name="BaselineMean">Mean exposure of the control secrets (same labels, never inserted).</param>
/// <param name="BaselineStd">Their standard deviation.</param>
/// <param name="BaselineMax">The largest of them.</param>
public sealed record ExposurePoint(long Updates, double CanaryMean, double CanaryMin, double BaselineMean, double BaselineStd, double BaselineMax);
