using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests;

/// <summary>Small seeded models and data for property tests.</summary>
internal static class TestModels
{
    /// <summary>A linearly separable 3-class problem in [0, 1]^features, seeded.</summary>
    public static LabeledData Blobs(int count, int features, long seed)
    {
        using var generator = new Generator((ulong)seed);
        var labels = randint(0, 3, [count], generator: generator);
        using var centres = rand(3, features, generator: generator) * 0.6 + 0.2;
        using var noise = randn(count, features, generator: generator) * 0.05;
        var x = (centres.index_select(0, labels) + noise).clamp(0, 1);
        return new LabeledData(x, labels, 3);
    }

    /// <summary>An MLP trained for a few epochs on <see cref="Blobs"/>.</summary>
    public static TorchClassifier TrainedMlp(LabeledData data, long seed)
    {
        var module = ModelZoo.Mlp((int)data.FeatureCount, [16], data.ClassCount, Activation.ReLU, seed);
        new Trainer(new TrainingOptions { Epochs = 30, BatchSize = 32, LearningRate = 1e-2, Seed = seed }).Fit(module, data);
        return new TorchClassifier(module, data.ClassCount, InputBounds.Unit, ownsModule: true);
    }
}

/// <summary>Tensor comparisons for assertions.</summary>
internal static class TensorAssert
{
    /// <summary>True when both tensors have the same shape and identical elements.</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }
}
