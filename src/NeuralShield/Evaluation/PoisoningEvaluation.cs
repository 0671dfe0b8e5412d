namespace NeuralShield.Evaluation;

/// <summary>
/// A poisoning attack's effect and a sanitizer's repair, written once for the audit and the reproductions: the
/// target's recipe retrained on (poisoned or sanitized) training data and measured on clean test data — accuracy,
/// accuracy per class, and the trigger's success — and the share of the accuracy lost to poisoning that a defense
/// gives back.
/// </summary>
public static class PoisoningEvaluation
{
    /// <summary>
    /// Trains <paramref name="recipe"/> on <paramref name="training"/> and measures the model on <paramref name="test"/>;
    /// with <paramref name="stamp"/>, also the share of stamped test records of other classes it assigns to
    /// <paramref name="targetClass"/>. The model is disposed before returning.
    /// </summary>
    /// <exception cref="ArgumentException">The class counts differ, or the target class is not one of them.</exception>
    public static PoisoningOutcome Retrain(ModelRecipe recipe, LabeledData training, LabeledData test, Func<Tensor, Tensor>? stamp = null,
        int targetClass = 0, int batchSize = 512, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(test);
        Guard.Positive(batchSize, nameof(batchSize));
        if (training.ClassCount != test.ClassCount)
            throw new ArgumentException($"training has {training.ClassCount} classes but test {test.ClassCount}.", nameof(test));
        if (targetClass < 0 || targetClass >= test.ClassCount)
            throw new ArgumentOutOfRangeException(nameof(targetClass), targetClass, $"targetClass must lie in [0, {test.ClassCount}).");
        using var trained = recipe.Train(training, cancellationToken: cancellationToken);
        return Measure(trained.Classifier, test, stamp, targetClass, batchSize);
    }

    /// <summary>What <see cref="Retrain"/> measures, on a model already retrained (e.g. one of a stacked batch).</summary>
    internal static PoisoningOutcome Measure(IClassifier model, LabeledData test, Func<Tensor, Tensor>? stamp, int targetClass, int batchSize)
    {
        return new PoisoningOutcome(
            ModelAccuracy.Of(model, test, batchSize),
            ModelAccuracy.PerClass(model, test, batchSize),
            stamp is null ? null : PoisoningMeasures.BackdoorSuccessRate(model, test, stamp, targetClass, batchSize));
    }

    /// <summary>
    /// (restored − poisoned) / (clean − poisoned): the share of the accuracy lost to poisoning that a defense gives back
    /// (1: all of it; negative: the defense lost more). Null when poisoning lost nothing (clean ≤ poisoned), where the
    /// share is not defined.
    /// </summary>
    public static double? ShareOfLossRestored(double cleanAccuracy, double poisonedAccuracy, double restoredAccuracy) =>
        cleanAccuracy > poisonedAccuracy ? (restoredAccuracy - poisonedAccuracy) / (cleanAccuracy - poisonedAccuracy) : null;
}
