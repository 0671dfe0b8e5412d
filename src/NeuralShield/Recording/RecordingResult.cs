namespace NeuralShield.Recording;

/// <summary>What <see cref="RecordingEvaluation"/> measured.</summary>
/// <param name="Undefended">Plain SGD updates.</param>
/// <param name="Private">DP-SGD updates.</param>
/// <param name="StreamQueries">User queries in the stream (canaries excluded).</param>
/// <param name="SpaceBits">log2 |R|.</param>
/// <param name="PretrainAccuracy">Test accuracy of the deployed model before the stream.</param>
public sealed record RecordingResult(RecordingRun Undefended, RecordingRun Private, int StreamQueries, int SpaceBits, double PretrainAccuracy);
