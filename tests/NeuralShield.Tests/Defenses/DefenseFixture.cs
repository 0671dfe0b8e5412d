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
            Temperature = 100, ModelFactory = Mlp(Activation.ReLU), Teacher = Options(15), Student = Options(15), Seed = 1,
        }).Fit(Train);
        Saturated = new Saturation(new SaturationOptions
        {
            Lambda = 0.01, ModelFactory = Mlp(Activation.Sigmoid), Training = Options(10), Seed = 2,
        }).Fit(Train);
        var adversarial = AdversarialTrainingOptions.Fgsm(Mlp(Activation.ReLU), epsilon: 0.1);
        adversarial.Training = Options(5);
        adversarial.Seed = 3;
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
