using NeuralShield.Models;
using NeuralShield.Tests.Defenses;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Training;

/// <summary>What a step saw of its <see cref="StepContext"/> on one call (values, not the shared instance).</summary>
internal readonly record struct SeenContext(int Epoch, int Epochs, long Step, int StepInEpoch, int StepsPerEpoch, int BatchSize, long Seed, double Progress, long BatchRows);

/// <summary>A step that records every context it is handed, then runs plain cross-entropy.</summary>
internal sealed class RecordingStep : ITrainingStep
{
    public List<SeenContext> Seen { get; } = [];

    public double Run(Tensor inputs, Tensor labels, StepContext context)
    {
        Seen.Add(new SeenContext(context.Epoch, context.Epochs, context.Step, context.StepInEpoch, context.StepsPerEpoch,
            context.BatchSize, context.Seed, context.Progress, inputs.shape[0]));
        return CrossEntropyStep.Default.Run(inputs, labels, context);
    }
}

/// <summary>A step that trains with cross-entropy but reports NaN at one (epoch, step-in-epoch).</summary>
internal sealed class NaNAtStep(int epoch, int stepInEpoch) : ITrainingStep
{
    public double Run(Tensor inputs, Tensor labels, StepContext context)
    {
        var loss = CrossEntropyStep.Default.Run(inputs, labels, context);
        return context.Epoch == epoch && context.StepInEpoch == stepInEpoch ? double.NaN : loss;
    }
}

/// <summary>Cross-entropy written out as a <see cref="LossStep"/>, independently of <see cref="CrossEntropyStep"/>.</summary>
internal sealed class HandCrossEntropyStep : LossStep
{
    protected override Tensor Loss(Tensor inputs, Tensor labels, StepContext context)
    {
        var logits = context.Model.forward(inputs);
        return nn.functional.cross_entropy(logits, labels);
    }
}

/// <summary>
/// <see cref="Trainer"/> hands each <see cref="ITrainingStep"/> a context whose epoch, step and progress follow the
/// documented numbering; <see cref="CrossEntropyStep"/> computes the tempered cross-entropy; a non-finite loss stops the
/// run with an exception naming the epoch and step.
/// </summary>
public class TrainingStepTests
{
    private static nn.Module<Tensor, Tensor> Mlp(long seed) => ModelZoo.Mlp(4, [8], 3, Activation.ReLU, seed);

    [Fact]
    public void TheContextCountsEpochsFromOneAndStepsFromZero()
    {
        // 50 samples in batches of 16: ceil(50 / 16) = 4 steps per epoch, the last of 2 samples.
        using var data = TestModels.Blobs(50, 4, seed: 1);
        using var model = Mlp(1);
        var step = new RecordingStep();
        new Trainer(new TrainingOptions { Epochs = 3, BatchSize = 16, Seed = 9 }).Fit(model, data, step: step);

        Assert.Equal(12, step.Seen.Count);
        var expectedRows = new long[] { 16, 16, 16, 2 };
        for (var i = 0; i < step.Seen.Count; i++)
        {
            var seen = step.Seen[i];
            var epoch = i / 4 + 1;
            var inEpoch = i % 4;
            Assert.Equal(epoch, seen.Epoch);
            Assert.Equal(3, seen.Epochs);
            Assert.Equal(i, seen.Step);
            Assert.Equal(inEpoch, seen.StepInEpoch);
            Assert.Equal(4, seen.StepsPerEpoch);
            Assert.Equal(16, seen.BatchSize);
            Assert.Equal(9, seen.Seed);
            Assert.Equal(epoch - 1 + inEpoch / 4.0, seen.Progress, 12);
            Assert.Equal(expectedRows[inEpoch], seen.BatchRows);
        }
    }

    [Theory]
    [InlineData(10, 10, 1)]
    [InlineData(10, 3, 4)]
    [InlineData(9, 3, 3)]
    [InlineData(7, 100, 1)]
    public void StepsPerEpochIsTheCeilingOfCountOverBatchSize(int count, int batchSize, int expected)
    {
        using var data = TestModels.Blobs(count, 4, seed: 2);
        using var model = Mlp(2);
        var step = new RecordingStep();
        new Trainer(new TrainingOptions { Epochs = 2, BatchSize = batchSize }).Fit(model, data, step: step);
        Assert.Equal(2 * expected, step.Seen.Count);
        Assert.All(step.Seen, s => Assert.Equal(expected, s.StepsPerEpoch));
        Assert.Equal(Enumerable.Range(0, 2 * expected).Select(i => (long)i), step.Seen.Select(s => s.Step));
        Assert.Equal(count * 2L, step.Seen.Sum(s => s.BatchRows));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(0.5)]
    public void CrossEntropyStepLossIsTheTemperedCrossEntropyByHand(double temperature)
    {
        using var data = TestModels.Blobs(20, 4, seed: 3);
        using var model = Mlp(3);
        var loss = Steps.Loss(new CrossEntropyStep(temperature), model, data.Features, data.Labels);

        // By hand, in float64: mean over samples of log Σ_j exp(z_j / T) − z_y / T.
        using var _ = no_grad();
        using var logits = model.forward(data.Features).to_type(ScalarType.Float64);
        var z = logits.data<double>().ToArray();
        var labels = data.Labels.data<long>().ToArray();
        var classes = (int)logits.shape[1];
        double total = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = z.Skip(i * classes).Take(classes).Select(v => v / temperature).ToArray();
            var max = row.Max();
            var lse = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
            total += lse - row[labels[i]];
        }
        Assert.Equal(total / labels.Length, loss, 5);
    }

    [Fact]
    public void TemperatureChangesTheLoss()
    {
        using var data = TestModels.Blobs(20, 4, seed: 3);
        using var model = Mlp(3);
        var plain = Steps.Loss(CrossEntropyStep.Default, model, data.Features, data.Labels);
        var tempered = Steps.Loss(new CrossEntropyStep(4.0), model, data.Features, data.Labels);
        Assert.NotEqual(plain, tempered);
        Assert.Equal(1.0, CrossEntropyStep.Default.Temperature);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void CrossEntropyStepRefusesANonPositiveTemperature(double temperature)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyStep(temperature));
        Assert.Equal("temperature", e.ParamName);
    }

    [Fact]
    public void ALossOfNaNStopsTheRunNamingTheEpochAndStep()
    {
        using var data = TestModels.Blobs(50, 4, seed: 4);
        using var model = Mlp(4);
        var trainer = new Trainer(new TrainingOptions { Epochs = 3, BatchSize = 16 });
        // NaN on epoch 2, the third batch (step-in-epoch 2): the message counts steps from 1 ("step 3 of 4").
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(model, data, step: new NaNAtStep(epoch: 2, stepInEpoch: 2)));
        Assert.Contains("epoch 2", e.Message);
        Assert.Contains("step 3 of 4", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void AnOverflowingLearningRateStopsTheRunNamingTheEpochAndStep()
    {
        using var data = TestModels.Blobs(64, 4, seed: 5);
        using var model = Mlp(5);
        var trainer = new Trainer(new TrainingOptions { Epochs = 5, BatchSize = 16, Optimizer = OptimizerKind.Sgd, Momentum = 0, LearningRate = 1e38 });
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(model, data));
        Assert.Matches(@"epoch \d+, step \d+ of 4", e.Message);
    }

    [Fact]
    public void TheDefaultStepIsCrossEntropyStepDefault()
    {
        using var data = TestModels.Blobs(48, 4, seed: 6);
        var options = new TrainingOptions { Epochs = 3, BatchSize = 16, LearningRate = 1e-2, Seed = 7 };
        using var byDefault = Mlp(8);
        using var explicitDefault = Mlp(8);
        using var fresh = Mlp(8);
        using var hand = Mlp(8);
        new Trainer(options).Fit(byDefault, data);
        new Trainer(options).Fit(explicitDefault, data, step: CrossEntropyStep.Default);
        new Trainer(options).Fit(fresh, data, step: new CrossEntropyStep(1.0));
        new Trainer(options).Fit(hand, data, step: new HandCrossEntropyStep());

        using var untrained = Mlp(8);
        Assert.False(Weights.Identical(untrained, byDefault)); // the run changed the weights
        Assert.True(Weights.Identical(byDefault, explicitDefault));
        Assert.True(Weights.Identical(byDefault, fresh));
        Assert.True(Weights.Identical(byDefault, hand));
    }
}
