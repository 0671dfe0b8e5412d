namespace NeuralShield.Recording;

/// <summary>One on-line learner over the stream: the exposure curve and the membership view at its end.</summary>
/// <param name="Repetitions">Times each canary appeared.</param>
/// <param name="Private">Whether the updates were DP-SGD.</param>
/// <param name="Curve">Exposure after every measured number of updates.</param>
/// <param name="Membership">Loss-threshold membership inference: the stream's queries (members) against held-out images (non-members).</param>
/// <param name="Accuracy">Test accuracy at the end of the stream.</param>
/// <param name="EpsilonPerQuery">ε (at the options' δ) of one query seen once; +∞ without DP.</param>
/// <param name="EpsilonPerCanary">ε of a canary seen <paramref name="Repetitions"/> times; +∞ without DP.</param>
public sealed record RecordingRun(int Repetitions, bool Private, IReadOnlyList<ExposurePoint> Curve, MembershipMetrics Membership, double Accuracy,
    double EpsilonPerQuery, double EpsilonPerCanary);
