namespace NeuralShield.Recording;

/// <summary>What <see cref="RecordingEvaluation"/> measured.</summary>
/// <param name="Online">The on-line learner, per repetition count: plain SGD updates, then DP-SGD updates.</param>
/// <param name="OfflineUndefended">The canaries in the training set of a model trained from scratch (one exposure point).</param>
/// <param name="OfflinePrivate">The same with DP-SGD (ε per record in <see cref="RecordingRun.EpsilonPerQuery"/>, the group bound r·ε in <see cref="RecordingRun.EpsilonPerCanary"/>).</param>
/// <param name="StreamQueries">User queries in the stream (canaries excluded).</param>
/// <param name="SpaceBits">log2 |R|.</param>
/// <param name="PretrainAccuracy">Test accuracy of the deployed model before the stream.</param>
/// <param name="PretrainMembership">The membership view on the deployed model before the stream (queries not yet learned): the reference.</param>
public sealed record RecordingResult(IReadOnlyList<RecordingRun> Online, RecordingRun OfflineUndefended, RecordingRun OfflinePrivate, int StreamQueries, int SpaceBits, double PretrainAccuracy, NeuralShield.Metrics.MembershipMetrics PretrainMembership);
