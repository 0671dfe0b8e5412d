namespace NeuralShield.Learnability;

/// <summary>What <see cref="LearnabilityAudit"/> measured on one target.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Chance">
/// The chance rate of one output entry: the best a predictor that ignores the input can do on the held-out pairs (the
/// frequency of the top k classes among them).
/// </param>
/// <param name="Points">One point per training sample count, in increasing order.</param>
public sealed record LearnabilityResult(string Target, double Chance, IReadOnlyList<LearnabilityPoint> Points)
{
    /// <summary>The fewest training pairs at which the accuracy reached <paramref name="accuracy"/> (null: never).</summary>
    public int? SamplesToReach(double accuracy) => Points.FirstOrDefault(p => p.Accuracy.Estimate >= accuracy)?.TrainSamples;

    /// <summary>
    /// Whether the interval at the largest sample count does not lie above the chance rate (it holds it, or lies below it
    /// as a network that memorises its training pairs may): nothing learned that the interval can tell.
    /// </summary>
    public bool InsideChanceAtBudget => Points[^1].Accuracy.Lower <= Chance;
}
