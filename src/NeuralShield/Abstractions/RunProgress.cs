namespace NeuralShield;

/// <summary>Progress of an attack run over a batch of inputs.</summary>
/// <param name="Done">Samples finished so far.</param>
/// <param name="Total">Samples in the run.</param>
/// <param name="Elapsed">Time since the run started.</param>
public readonly record struct RunProgress(long Done, long Total, TimeSpan Elapsed);
