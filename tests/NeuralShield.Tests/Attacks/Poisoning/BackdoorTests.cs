using NeuralShield.Attacks.Poisoning;
using NeuralShield.Data;
using NeuralShield.Metrics;
using NeuralShield.Models;
using NeuralShield.Training;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Poisoning;

public class BackdoorTests
{
    [Fact]
    public void SquareTriggerSetsOnlyTheCornerPixels()
    {
        var trigger = BackdoorTrigger.Square([1, 8, 8], size: 2, value: 1f, margin: 1);
        using var x = zeros(2, 1, 8, 8);
        using var stamped = trigger.Stamp(x);
        Assert.Equal(4, trigger.CoveredValues);
        Assert.Equal(8.0, stamped.sum().item<float>());
        Assert.Equal(1f, stamped[0, 0, 6, 6].item<float>());
        Assert.Equal(1f, stamped[1, 0, 5, 5].item<float>());
        Assert.Equal(0f, stamped[0, 0, 7, 7].item<float>());
        Assert.Equal(0.0, x.sum().item<float>());
    }

    [Fact]
    public void PoisonStampsAndRelabelsTheRequestedShareOfOtherClasses()
    {
        using var data = Datasets.Digits();
        var trigger = BackdoorTrigger.Checkerboard([1, 8, 8], size: 3);
        using var poisoned = new BackdoorPoisoning(trigger, new BackdoorOptions { TargetClass = 4, Fraction = 0.1, Seed = 2 }).Poison(data);
        Assert.Equal(180, poisoned.Indices.Count);
        var before = data.Labels.data<long>().ToArray();
        var after = poisoned.Data.Labels.data<long>().ToArray();
        using var idx = tensor(poisoned.Indices.ToArray());
        using var expected = trigger.Stamp(data.Features.index_select(0, idx));
        using var actual = poisoned.Data.Features.index_select(0, idx);
        Assert.True(TensorAssert.Same(expected, actual));
        var set = poisoned.Indices.ToHashSet();
        for (var i = 0; i < data.Count; i++)
        {
            if (set.Contains(i)) { Assert.NotEqual(4, before[i]); Assert.Equal(4, after[i]); }
            else Assert.Equal(before[i], after[i]);
        }
    }

    [Fact]
    public void AModelTrainedOnTheBackdooredDigitsObeysTheTrigger()
    {
        using var digits = Datasets.Digits();
        var (train, test) = digits.Split(0.7, seed: 5);
        using var _ = train;
        using var __ = test;
        var trigger = BackdoorTrigger.Square([1, 8, 8], size: 2);
        using var poisoned = new BackdoorPoisoning(trigger, new BackdoorOptions { TargetClass = 0, Fraction = 0.1, Seed = 1 }).Poison(train);
        var module = ModelZoo.Mlp(64, [64], 10, Activation.ReLU, seed: 1);
        new Trainer(new TrainingOptions { Epochs = 30, BatchSize = 32, LearningRate = 3e-3, Seed = 1 }).Fit(module, poisoned.Data);
        using var model = new TorchClassifier(module, 10, ownsModule: true);
        Assert.True(PoisoningMeasures.BackdoorSuccessRate(model, test, trigger.Stamp, 0) > 0.9);
        Assert.True(ModelAccuracy.Of(model, test) > 0.85);
    }

    [Fact]
    public void CleanLabelKeepsLabelsAndTouchesOnlyTargetImagesWithinTheBall()
    {
        using var data = TestModels.Blobs(60, 16, seed: 4);
        using var surrogate = TestModels.TrainedMlp(data, seed: 4);
        var pattern = new float[16];
        var mask = new float[16];
        pattern[15] = 1f;
        mask[15] = 1f;
        var trigger = new BackdoorTrigger([16], pattern, mask);
        using var poisoned = new CleanLabelBackdoor(trigger, surrogate, new CleanLabelBackdoorOptions { TargetClass = 1, Fraction = 0.5, Epsilon = 0.1, StepSize = 0.02, Steps = 10 }).Poison(data);
        Assert.True(TensorAssert.Same(data.Labels, poisoned.Data.Labels));
        var labels = data.Labels.data<long>().ToArray();
        Assert.Equal((int)Math.Round(labels.Count(y => y == 1) * 0.5, MidpointRounding.AwayFromZero), poisoned.Indices.Count);
        Assert.All(poisoned.Indices, i => Assert.Equal(1, labels[i]));
        using var diff = (poisoned.Data.Features - data.Features).abs();
        using var trigged = diff.narrow(1, 0, 15);
        Assert.True(trigged.max().item<float>() <= 0.1f + 1e-5f);
        Assert.All(poisoned.Indices, i => Assert.Equal(1f, poisoned.Data.Features[i, 15].item<float>()));
        var set = poisoned.Indices.ToHashSet();
        for (var i = 0; i < data.Count; i++)
            if (!set.Contains(i)) Assert.Equal(0f, diff[i].sum().item<float>());
    }
}
