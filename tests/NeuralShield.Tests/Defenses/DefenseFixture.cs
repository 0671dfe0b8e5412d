using NeuralShield.Data;
using NeuralShield.Defenses.Training;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses;

/// <summary>The embedded digits (8×8) split into train and test, with small models hardened by each defense, trained once.</summary>
public sealed class DefenseFixture : IDisposable
{
    public DefenseFixture()
    {
        using var all = Datasets.Digits();
        using var shuffled = all.Shuffle(3);
        Train = shuffled.Slice(0, 1200);
        Test = shuffled.Slice(1200, shuffled.Count - 1200);

        var plain = Mlp(Activation.ReLU)(5);
        new Trainer(Options(15)).Fit(plain, Train);
        Plain = new TorchClassifier(plain, 10, InputBounds.Unit, [1, 8, 8], ownsModule: true);

        Distilled = new DefensiveDistillation(new DefensiveDistillationOptions
        {
            Temperature = 100, Recipe = Recipe(Activation.ReLU, Options(15), seed: 1),
        }).Fit(Train);
        Saturated = new Saturation(new SaturationOptions
        {
            Lambda = 0.01, Recipe = Recipe(Activation.Sigmoid, Options(10), seed: 2),
        }).Fit(Train);
        var adversarial = AdversarialTrainingOptions.Fgsm(Recipe(Activation.ReLU, Options(5), seed: 3), epsilon: 0.1);
        AdversariallyTrained = new AdversarialTraining(adversarial).Fit(Train);
    }

    public LabeledData Train { get; }

    public LabeledData Test { get; }

    public TorchClassifier Plain { get; }

    public DistillationResult Distilled { get; }

    public SaturationResult Saturated { get; }

    public AdversarialTrainingResult AdversariallyTrained { get; }

    /// <summary>A 64-32-10 MLP factory for the digits.</summary>
    public static Func<long, nn.Module<Tensor, Tensor>> Mlp(Activation activation) => seed => ModelZoo.Mlp(64, [32], 10, activation, seed);

    /// <summary>A recipe of the 64-32-10 MLP with <paramref name="training"/> and weight seed <paramref name="seed"/>.</summary>
    public static ModelRecipe Recipe(Activation activation, TrainingOptions? training = null, long seed = 0) =>
        new() { Architecture = Mlp(activation), Training = training ?? Options(1), Seed = seed };

    /// <summary>Fast training settings: Adam 1e-2, batch 64.</summary>
    public static TrainingOptions Options(int epochs, long seed = 0) => new() { Epochs = epochs, BatchSize = 64, LearningRate = 1e-2, Seed = seed };

    public void Dispose()
    {
        Plain.Dispose();
        Distilled.Dispose();
        Saturated.Dispose();
        AdversariallyTrained.Dispose();
        Train.Dispose();
        Test.Dispose();
    }
}

/// <summary>Weight comparisons for determinism tests.</summary>
internal static class Weights
{
    /// <summary>True when both modules have identical parameters, name by name.</summary>
    public static bool Identical(nn.Module a, nn.Module b)
    {
        var left = a.state_dict();
        var right = b.state_dict();
        return left.Count == right.Count && left.All(kv => right.TryGetValue(kv.Key, out var other) && TensorAssert.Same(kv.Value, other));
    }
}

/// <summary>Runs one training step outside a trainer, with an optimiser whose learning rate is 0 (the weights stay as they are).</summary>
internal static class Steps
{
    /// <summary>The loss <paramref name="step"/> reports on (<paramref name="x"/>, <paramref name="y"/>) in epoch <paramref name="epoch"/>.</summary>
    public static double Loss(ITrainingStep step, nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int epoch = 1, long stepIndex = 0, int epochs = 10)
    {
        using var optimizer = optim.SGD(model.parameters(), 0.0);
        var context = new StepContext(model, optimizer, epochs, stepsPerEpoch: 1, batchSize: (int)x.shape[0], seed: 0) { Epoch = epoch, Step = stepIndex };
        model.train();
        return step.Run(x, y, context);
    }
}
