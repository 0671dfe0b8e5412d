namespace NeuralShield.Metrics;

/// <summary>One point of a receiver operating characteristic: predicting "member" for every score at or above <see cref="Threshold"/>.</summary>
/// <param name="FalsePositiveRate">Share of non-members predicted members.</param>
/// <param name="TruePositiveRate">Share of members predicted members.</param>
/// <param name="Threshold">The score threshold (+∞ for the point (0, 0) where nothing is predicted a member).</param>
public readonly record struct RocPoint(double FalsePositiveRate, double TruePositiveRate, double Threshold);
