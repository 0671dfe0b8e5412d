using NeuralShield.Attacks;
using NeuralShield.Attacks.Extraction;

namespace NeuralShield.Evaluation;

/// <summary>
/// A substitute model against the target it imitates, written once for the audit and the reproductions: the
/// substitute's accuracy, its agreement with the target, and an evasion attack crafted once on the substitute and
/// judged on the target — over every test sample (as Papernot et al. count transfer) and over those the target
/// classifies correctly.
/// </summary>
public static class ExtractionEvaluation
{
    /// <summary>Evaluates <paramref name="substitute"/> against <paramref name="target"/> on <paramref name="test"/>.</summary>
    /// <exception cref="ArgumentException">The class counts differ, or the test samples lie outside the target's bounds.</exception>
    public static ExtractionOutcome Evaluate(IDifferentiableClassifier substitute, IClassifier target, LabeledData test,
        IEvasionAttack<IDifferentiableClassifier> transfer, int batchSize = 512, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(substitute);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(transfer);
        Guard.Positive(batchSize, nameof(batchSize));
        if (substitute.ClassCount != target.ClassCount)
            throw new ArgumentException($"The substitute has {substitute.ClassCount} classes, the target {target.ClassCount}.", nameof(substitute));
        if (test.ClassCount != target.ClassCount)
            throw new ArgumentException($"test has {test.ClassCount} classes, the target {target.ClassCount}.", nameof(test));
        var (transferred, fooled) = TransferEvaluation.TransferPerSample(transfer, substitute, target, test.Features, test.Labels, batchSize, cancellationToken);
        using var scope = NewDisposeScope();
        var labels = test.Labels.cpu();
        var substitutePredictions = substitute.Predict(test.Features.to(substitute.Device), batchSize).cpu();
        var targetPredictions = target.Predict(test.Features.to(target.Device), batchSize).cpu();
        var correct = targetPredictions.eq(labels).data<bool>().ToArray();
        var correctCount = correct.Count(c => c);
        return new ExtractionOutcome(
            substitutePredictions.eq(labels).to_type(ScalarType.Float64).mean().item<double>(),
            substitutePredictions.eq(targetPredictions).to_type(ScalarType.Float64).mean().item<double>(),
            transferred,
            correctCount == 0 ? double.NaN : Enumerable.Range(0, correct.Length).Count(i => correct[i] && fooled[i]) / (double)correctCount);
    }
}
