using NeuralShield.Audit;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Data;
using NeuralShield.Evaluation;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;

namespace NeuralShield.Tests.Evaluation;

/// <summary>Retraining on poisoned data and the share of the loss a defense restores, against their parts computed by hand.</summary>
public sealed class PoisoningEvaluationTests
{
    private static ModelRecipe Recipe() => new()
    {
        Architecture = s => ModelZoo.Mlp(64, [32], 10, Activation.ReLU, s),
        Training = new TrainingOptions { Epochs = 8, BatchSize = 64, LearningRate = 3e-3, Seed = 2 },
        Seed = 2,
    };

    [Fact]
    public void RetrainMeasuresWhatATrainedModelGivesByHand()
    {
        using var digits = Datasets.Digits();
        var (train, test) = digits.Split(0.7, seed: 3);
        using var _ = train;
        using var __ = test;
        var trigger = AttackCatalog.Trigger(train.SampleShape);
        using var poisoned = new BackdoorPoisoning(trigger, new BackdoorOptions { TargetClass = 0, Fraction = 0.1, Seed = 1 }).Poison(train);
        var outcome = PoisoningEvaluation.Retrain(Recipe(), poisoned.Data, test, trigger.Stamp, targetClass: 0);

        // The same recipe trained again (seeded, so the same weights) and measured one part at a time.
        using var model = Recipe().Train(poisoned.Data);
        Assert.Equal(ModelAccuracy.Of(model.Classifier, test), outcome.Accuracy, 12);
        Assert.Equal(PoisoningMeasures.BackdoorSuccessRate(model.Classifier, test, trigger.Stamp, 0), outcome.BackdoorSuccess!.Value, 12);
        var labels = test.Labels.data<long>().ToArray();
        for (var k = 0; k < 10; k++)
        {
            var rows = Enumerable.Range(0, test.Count).Where(i => labels[i] == k).Select(i => (long)i).ToArray();
            using var subset = test.Subset(rows);
            Assert.Equal(ModelAccuracy.Of(model.Classifier, subset), outcome.ClassAccuracy[k], 12);
        }
        // The class-weighted mean of the per-class accuracies is the accuracy.
        var counts = test.ClassCounts();
        Assert.Equal(outcome.Accuracy, outcome.ClassAccuracy.Select((a, k) => a * counts[k]).Sum() / test.Count, 12);
        Assert.Null(PoisoningEvaluation.Retrain(Recipe(), train, test).BackdoorSuccess);
        Assert.Equal("targetClass", Assert.Throws<ArgumentOutOfRangeException>(() => PoisoningEvaluation.Retrain(Recipe(), train, test, trigger.Stamp, 10)).ParamName);
    }

    [Fact]
    public void ShareOfLossRestoredIsDefinedOnlyWhenPoisoningLostAccuracy()
    {
        Assert.Equal(0.75, PoisoningEvaluation.ShareOfLossRestored(0.98, 0.94, 0.97)!.Value, 12); // 0.03 of 0.04 back
        Assert.Equal(-0.5, PoisoningEvaluation.ShareOfLossRestored(0.98, 0.94, 0.92)!.Value, 12); // the defense cost more
        Assert.Null(PoisoningEvaluation.ShareOfLossRestored(0.95, 0.95, 0.97));
        Assert.Null(PoisoningEvaluation.ShareOfLossRestored(0.94, 0.95, 0.97));
    }
}
