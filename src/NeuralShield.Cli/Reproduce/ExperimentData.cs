using NeuralShield.Data;

namespace NeuralShield.Cli.Reproduce;

/// <summary>MNIST as the reproductions use it: the training images of the folder, and the first N test images.</summary>
internal static class ExperimentData
{
    public static (LabeledData Train, LabeledData Test) Mnist(ExperimentContext context, int defaultSamples)
    {
        var train = NeuralShield.Data.Mnist.Load(context.DataDirectory, MnistSplit.Train);
        using var allTest = NeuralShield.Data.Mnist.Load(context.DataDirectory, MnistSplit.Test);
        var test = allTest.Take(context.Samples ?? defaultSamples);
        context.Log.WriteLine($"  MNIST: {train.Count} training images, attacking the first {test.Count} test images");
        return (train, test);
    }
}
