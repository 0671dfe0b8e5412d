namespace NeuralShield.Metrics;

/// <summary>What a poisoning run did to a training set and what it achieved, as plain numbers.</summary>
/// <param name="PoisonedCount">Training points changed (or added) by the attacker.</param>
/// <param name="PoisonFraction">PoisonedCount over the size of the training set.</param>
/// <param name="CleanAccuracy">Accuracy of the model trained on the poisoned set on clean test data, when measured.</param>
/// <param name="AttackSuccessRate">Share of the attacker's test inputs that show the target behaviour (triggered inputs classified as the target class), when measured.</param>
public readonly record struct PoisoningMetrics(int PoisonedCount, double PoisonFraction, double? CleanAccuracy = null, double? AttackSuccessRate = null);

/// <summary>How well a sanitizer found the poisoned points: its flags against the indices the attacker changed.</summary>
/// <param name="Flagged">Points flagged by the defense.</param>
/// <param name="Poisoned">Points the attacker changed.</param>
/// <param name="TruePositives">Flagged points that were poisoned.</param>
/// <param name="Precision">TruePositives / Flagged (1 when nothing was flagged).</param>
/// <param name="Recall">TruePositives / Poisoned (1 when nothing was poisoned).</param>
public readonly record struct DetectionMetrics(int Flagged, int Poisoned, int TruePositives, double Precision, double Recall)
{
    /// <summary>Compares <paramref name="flagged"/> with the known <paramref name="poisoned"/> indices.</summary>
    public static DetectionMetrics Of(IReadOnlyCollection<long> flagged, IReadOnlyCollection<long> poisoned)
    {
        ArgumentNullException.ThrowIfNull(flagged);
        ArgumentNullException.ThrowIfNull(poisoned);
        var truth = poisoned as ISet<long> ?? new HashSet<long>(poisoned);
        var flags = new HashSet<long>(flagged);
        var tp = flags.Count(truth.Contains);
        return new DetectionMetrics(flags.Count, truth.Count, tp,
            flags.Count == 0 ? 1.0 : (double)tp / flags.Count,
            truth.Count == 0 ? 1.0 : (double)tp / truth.Count);
    }
}

/// <summary>Measurements of poisoning attacks on trained classifiers.</summary>
public static class PoisoningMeasures
{
    /// <summary>
    /// The backdoor success rate (Gu et al. 2017): the share of <paramref name="test"/> inputs whose true class is not
    /// <paramref name="targetClass"/> that the classifier assigns to <paramref name="targetClass"/> once
    /// <paramref name="stamp"/> has put the trigger on them.
    /// </summary>
    /// <param name="classifier">The model trained on the poisoned set.</param>
    /// <param name="test">Clean test data.</param>
    /// <param name="stamp">Puts the trigger on a batch (e.g. <c>BackdoorTrigger.Stamp</c>); returns a fresh tensor.</param>
    /// <param name="targetClass">The attacker's class.</param>
    /// <param name="batchSize">Inputs per forward pass.</param>
    /// <exception cref="ArgumentException">No test input lies outside the target class.</exception>
    public static double BackdoorSuccessRate(IClassifier classifier, LabeledData test, Func<Tensor, Tensor> stamp, int targetClass, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(stamp);
        if (targetClass < 0 || targetClass >= classifier.ClassCount)
            throw new ArgumentOutOfRangeException(nameof(targetClass), targetClass, $"targetClass must lie in [0, {classifier.ClassCount}).");
        Internal.Guard.Positive(batchSize, nameof(batchSize));
        long hits = 0, count = 0;
        foreach (var (x, y) in test.Batches(batchSize))
        {
            using var scope = NewDisposeScope();
            using var ownedX = x;
            using var ownedY = y;
            var keep = y.ne(targetClass);
            var n = keep.sum().item<long>();
            if (n == 0) continue;
            var triggered = stamp(x.index_select(0, keep.nonzero().squeeze(1)));
            var predicted = classifier.PredictProbabilities(triggered).argmax(1).cpu();
            hits += predicted.eq(targetClass).sum().item<long>();
            count += n;
        }
        if (count == 0) throw new ArgumentException($"test holds no input outside the target class {targetClass}.", nameof(test));
        return (double)hits / count;
    }
}
