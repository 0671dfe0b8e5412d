namespace NeuralShield.Metrics;

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
        Guard.Positive(batchSize, nameof(batchSize));
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
