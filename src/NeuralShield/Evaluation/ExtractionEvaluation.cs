using System.Diagnostics;
using NeuralShield.Attacks;
using NeuralShield.Data;
using NeuralShield.Internal;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

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
        InputChecks.Inputs(test.Features, target.Bounds, nameof(test));
        var watch = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var labels = test.Labels.cpu();
        var substitutePredictions = substitute.Predict(test.Features.to(substitute.Device), batchSize).cpu();
        var targetPredictions = target.Predict(test.Features.to(target.Device), batchSize).cpu();
        var goal = AttackGoal.Untargeted(test.Labels);
        using var crafted = transfer.Run(substitute, test.Features, goal, new RunOptions { BatchSize = batchSize }, cancellationToken);
        var adversarials = crafted.Adversarials.to(target.Device);
        var fooled = target.Predict(adversarials, batchSize).cpu().ne(labels);
        var metrics = EvasionMetrics.Of(adversarials, test.Features.to(target.Device).to_type(ScalarType.Float32), fooled.to(target.Device), test.Count, watch.Elapsed);
        var correct = targetPredictions.eq(labels);
        var correctCount = correct.sum().item<long>();
        return new ExtractionOutcome(
            substitutePredictions.eq(labels).to_type(ScalarType.Float64).mean().item<double>(),
            substitutePredictions.eq(targetPredictions).to_type(ScalarType.Float64).mean().item<double>(),
            metrics,
            correctCount == 0 ? double.NaN : fooled.logical_and(correct).sum().item<long>() / (double)correctCount);
    }
}
