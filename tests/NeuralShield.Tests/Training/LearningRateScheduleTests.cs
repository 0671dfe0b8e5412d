using NeuralShield.Attacks.Inference;
using NeuralShield.Defenses.Training;
using NeuralShield.Models;
using NeuralShield.Tests.Defenses;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Training;

/// <summary>A step that records the learning rate the optimiser holds when the step runs, then runs cross-entropy.</summary>
internal sealed class RateRecordingStep : ITrainingStep
{
    public List<double> Rates { get; } = [];

    public double Run(Tensor inputs, Tensor labels, StepContext context)
    {
        Rates.Add(context.Optimizer.ParamGroups.Single().LearningRate);
        return CrossEntropyStep.Default.Run(inputs, labels, context);
    }
}

/// <summary>
/// <see cref="LearningRateSchedule.Cosine"/> sets LearningRate · (1 + cos(π t / T)) / 2 before step t of T; a run with it
/// equals plain gradient descent written out by hand with that rate; the trainers that keep one rate refuse it.
/// </summary>
public class LearningRateScheduleTests
{
    private static nn.Module<Tensor, Tensor> Mlp(long seed) => ModelZoo.Mlp(4, [8], 3, Activation.Tanh, seed);

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    public void CosineSetsTheAnnealedRateBeforeEachStep(OptimizerKind optimizer)
    {
        // 50 samples in batches of 16: 4 steps per epoch, 3 epochs, T = 12.
        using var data = TestModels.Blobs(50, 4, seed: 3);
        using var model = Mlp(3);
        var step = new RateRecordingStep();
        new Trainer(new TrainingOptions { Epochs = 3, BatchSize = 16, LearningRate = 0.2, Optimizer = optimizer, Schedule = LearningRateSchedule.Cosine })
            .Fit(model, data, step: step);
        Assert.Equal(12, step.Rates.Count);
        for (var t = 0; t < 12; t++)
            Assert.Equal(0.2 * (1 + Math.Cos(Math.PI * t / 12)) / 2, step.Rates[t], 12);
    }

    [Fact]
    public void ConstantKeepsTheConfiguredRate()
    {
        using var data = TestModels.Blobs(50, 4, seed: 3);
        using var model = Mlp(3);
        var step = new RateRecordingStep();
        new Trainer(new TrainingOptions { Epochs = 2, BatchSize = 16, LearningRate = 0.2, Optimizer = OptimizerKind.Sgd }).Fit(model, data, step: step);
        Assert.Equal(8, step.Rates.Count);
        Assert.All(step.Rates, r => Assert.Equal(0.2, r, 12));
    }

    [Fact]
    public void CosineTrainingEqualsGradientDescentByHand()
    {
        const int epochs = 3, batch = 16;
        const double rate = 0.5;
        const long seed = 5;
        using var data = TestModels.Blobs(50, 4, seed: 4);
        using var trained = Mlp(7);
        new Trainer(new TrainingOptions
        {
            Epochs = epochs, BatchSize = batch, LearningRate = rate, Optimizer = OptimizerKind.Sgd, Momentum = 0,
            Schedule = LearningRateSchedule.Cosine, Seed = seed,
        }).Fit(trained, data);

        // The same batches (the trainer's documented order: seed + epoch - 1), p ← p − η_t ∇p, η_t annealed by hand.
        using var byHand = Mlp(7);
        var parameters = byHand.parameters().ToList();
        var total = epochs * (int)Math.Ceiling(50.0 / batch);
        var t = 0;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            foreach (var (x, y) in data.Batches(batch, seed + epoch - 1))
            {
                using var scope = NewDisposeScope();
                var eta = rate * (1 + Math.Cos(Math.PI * t / total)) / 2;
                foreach (var p in parameters) p.grad?.zero_();
                var loss = nn.functional.cross_entropy(byHand.forward(x), y);
                loss.backward();
                using (no_grad())
                    foreach (var p in parameters) p.sub_(p.grad! * eta);
                t++;
            }
        }
        Assert.Equal(total, t);
        foreach (var (a, b) in trained.parameters().Zip(parameters))
        {
            using var diff = (a - b).abs().max();
            Assert.True(diff.item<float>() < 1e-5f, $"weights differ by {diff.item<float>()}");
        }
    }

    [Fact]
    public void AnUndefinedScheduleIsRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(new TrainingOptions { Schedule = (LearningRateSchedule)7 }));
        Assert.Equal("Schedule", error.ParamName);
    }

    [Fact]
    public void TrainersThatKeepOneRateRefuseCosine()
    {
        var cosine = new TrainingOptions { Epochs = 1, BatchSize = 10, Optimizer = OptimizerKind.Sgd, Momentum = 0, Schedule = LearningRateSchedule.Cosine };
        var recipe = new ModelRecipe { Architecture = s => Mlp(s), Training = cosine };

        var dp = new DifferentiallyPrivateTrainingOptions { Recipe = recipe, NoiseMultiplier = 1.0 };
        Assert.Equal("Recipe", Assert.Throws<ArgumentException>(() => dp.Validated()).ParamName);

        var shadows = new ShadowTrainingOptions { Recipe = recipe, Count = 2, TrainingService = new StackedTrainingService() };
        using var pool = TestModels.Blobs(40, 4, seed: 3);
        var refused = Assert.Throws<ArgumentException>(() => ShadowModelSet.Train(pool, shadows));
        Assert.Equal("jobs", refused.ParamName);
        Assert.Contains("Constant", refused.Message);
        shadows.TrainingService = null;
        Assert.Equal(LearningRateSchedule.Cosine, shadows.Validated().Recipe.Training.Schedule);
    }
}
