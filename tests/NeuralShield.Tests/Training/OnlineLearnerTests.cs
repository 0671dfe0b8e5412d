using NeuralShield.Attacks.Poisoning;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Training;

public class OnlineLearnerTests
{
    /// <summary>Records the context it is handed and does plain cross-entropy.</summary>
    private sealed class RecordingStep : ITrainingStep
    {
        public List<(int Epoch, long Step, int StepInEpoch, int Batch)> Seen { get; } = new();

        public double Run(Tensor inputs, Tensor labels, StepContext context)
        {
            Seen.Add((context.Epoch, context.Step, context.StepInEpoch, (int)inputs.shape[0]));
            return CrossEntropyStep.Default.Run(inputs, labels, context);
        }
    }

    private static (OnlineLearner Learner, LabeledData Data) Make(long seed, RecordingStep? step = null, IEnumerable<IOnlineGuard>? guards = null)
    {
        var data = TestModels.Blobs(120, 4, seed);
        var module = ModelZoo.Mlp(4, [8], 3, Activation.ReLU, seed);
        return (new OnlineLearner(module, 3, [4], new OnlineLearnerOptions { LearningRate = 0.1, StepsPerEpoch = 2, BatchSize = 10 }, step, guards, ownsModule: true), data);
    }

    [Fact]
    public void EachAdmittedBatchIsOneStepWithAMaintainedContext()
    {
        var step = new RecordingStep();
        var (learner, data) = Make(1, step);
        using var _ = learner;
        using var __ = data;
        var before = learner.Classifier.Module.parameters().First().clone();
        for (var i = 0; i < 3; i++)
        {
            var update = learner.Submit("a", data.Features.narrow(0, i * 10, 10), data.Labels.narrow(0, i * 10, 10));
            Assert.Equal(1, update.UpdatesApplied);
        }
        Assert.Equal(3, learner.Updates);
        Assert.Equal([(1, 0L, 0, 10), (1, 1L, 1, 10), (2, 2L, 0, 10)], step.Seen);
        Assert.False(TensorAssert.Same(before, learner.Classifier.Module.parameters().First()));
        Assert.Equal(30, learner.OfferedBySource["a"]);
        before.Dispose();
    }

    [Fact]
    public void RateLimitAdmitsAtMostTheLimitPerSourceAndWindow()
    {
        var (learner, data) = Make(2, guards: [new RateLimitGuard(maxPoints: 5, windowBatches: 3)]);
        using var _ = learner;
        using var __ = data;
        var x = data.Features.narrow(0, 0, 4);
        var y = data.Labels.narrow(0, 0, 4);
        Assert.Equal(4, learner.Submit("a", x, y).Admitted);
        Assert.Equal(1, learner.Submit("a", x, y).Admitted);
        Assert.Equal(4, learner.Submit("b", x, y).Admitted);
        var dropped = learner.Submit("a", x, y);
        Assert.Equal(4, dropped.Admitted); // the first batch of "a" left the window of 3 batches
        Assert.Equal(1, learner.Submit("a", x, y).Admitted); // 4 of the last 3 batches are in the window
        Assert.Equal(0, learner.Submit("a", x, y).Admitted);
    }

    [Fact]
    public void ValidationGateUndoesAnUpdateThatDegradesTheHeldOutSet()
    {
        using var data = TestModels.Blobs(150, 4, 3);
        using var model = TestModels.TrainedMlp(data, 3);
        using var gate = new ValidationGate(data, tolerance: 0.01);
        using var learner = new OnlineLearner(model.Module, 3, [4], new OnlineLearnerOptions { LearningRate = 5, BatchSize = 150 }, guards: [gate]);
        using var before = model.Module.parameters().First().clone();
        var accuracy = ModelAccuracy.Of(model, data);
        // Every point labelled with the next class, at a large learning rate: held-out accuracy collapses.
        using var wrong = (data.Labels + 1).remainder(3);
        var update = learner.Submit("attacker", data.Features, wrong);
        Assert.Equal(0, update.UpdatesApplied);
        Assert.Equal(1, update.UpdatesRefused);
        Assert.Equal("validation gate", update.RefusedBy);
        Assert.True(TensorAssert.Same(before, model.Module.parameters().First()));
        Assert.Equal(accuracy, ModelAccuracy.Of(model, data));
        Assert.Equal(1, gate.Refused);
    }

    [Fact]
    public void AnomalyGuardDropsMislabelledPointsAndAdmitsCleanOnes()
    {
        using var data = TestModels.Blobs(150, 4, 5);
        using var model = TestModels.TrainedMlp(data, 5);
        foreach (var score in new[] { AnomalyScore.Loss, AnomalyScore.CentroidDistance })
        {
            var guard = new AnomalyGuard(data, model, new AnomalyGuardOptions { Score = score, Quantile = 1.0 });
            using var clean = guard.Admit(new IncomingBatch("u", data.Features, data.Labels, 0), model);
            Assert.True(clean.all().item<bool>());
            using var wrong = (data.Labels + 1).remainder(3);
            using var flagged = guard.Admit(new IncomingBatch("a", data.Features, wrong, 1), model);
            Assert.True(flagged.to_type(ScalarType.Float32).mean().item<float>() < 0.1f, score.ToString());
        }
    }

    [Fact]
    public void OnlinePoisoningFlipsAnUndefendedTargetAndTheGateSlowsIt()
    {
        long Run(IOnlineGuard? guard, out bool flipped)
        {
            using var data = TestModels.Blobs(200, 4, 6);
            using var model = TestModels.TrainedMlp(data, 6);
            using var learner = new OnlineLearner(model.Module, 3, [4], new OnlineLearnerOptions { LearningRate = 0.01 }, guards: guard is null ? null : [guard]);
            using var target = data.Features.narrow(0, 0, 1).clone();
            var label = (int)((data.Labels[0].item<long>() + 1) % 3);
            var result = new OnlinePoisoning(new OnlinePoisoningOptions { AttackerSources = 2, PointsPerSource = 8, CleanSources = 2, CleanBatchSize = 16, MaxPoisonedPoints = 800, Seed = 1 })
                .Poison(new OnlineScenario(learner, data, target, label));
            flipped = result.Flipped;
            return result.PoisonedPointsSent;
        }
        var undefended = Run(null, out var flippedUndefended);
        Assert.True(flippedUndefended);
        using var holdout = TestModels.Blobs(100, 4, 6);
        var rateLimited = Run(new RateLimitGuard(2, 4), out _);
        Assert.True(rateLimited > undefended, $"undefended {undefended}, rate-limited {rateLimited}");
    }
}
