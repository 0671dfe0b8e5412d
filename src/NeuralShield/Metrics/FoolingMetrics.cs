namespace NeuralShield.Metrics;

/// <summary>Summary numbers of one fooling run.</summary>
/// <param name="Count">Number of synthesised inputs K.</param>
/// <param name="MinConfidence">The smallest target-class probability over the K inputs (checked by the library on the model).</param>
/// <param name="MeanConfidence">The mean target-class probability.</param>
/// <param name="ReachedThresholdRate">Share of inputs whose target-class probability reached the attack's confidence threshold.</param>
/// <param name="TargetPredictedRate">Share of inputs the model classifies as their target class.</param>
/// <param name="Iterations">Gradient steps or generations the search ran (the largest over the inputs).</param>
/// <param name="Queries">Samples the search sent to the model (excluding the library's final check).</param>
/// <param name="Elapsed">Wall-clock time, including the final check.</param>
public readonly record struct FoolingMetrics(
    int Count, double MinConfidence, double MeanConfidence, double ReachedThresholdRate, double TargetPredictedRate,
    int Iterations, long Queries, TimeSpan Elapsed);
