using NeuralShield.Data;

namespace NeuralShield.Tests;

/// <summary>MNIST from the shared reference data, loaded once for the tests that use it.</summary>
public sealed class MnistFixture : IDisposable
{
    public MnistFixture()
    {
        Train = Mnist.Load(SharedData.Mnist, MnistSplit.Train);
        Test = Mnist.Load(SharedData.Mnist, MnistSplit.Test);
    }

    /// <summary>The first 10,000 official training images.</summary>
    public LabeledData Train { get; }

    /// <summary>The official 10,000 test images.</summary>
    public LabeledData Test { get; }

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class MnistCollection : ICollectionFixture<MnistFixture>
{
    public const string Name = "MNIST";
}
