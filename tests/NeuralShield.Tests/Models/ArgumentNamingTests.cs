using NeuralShield.PyTorch;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Attacks.Poisoning;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Models;

/// <summary>Bad input is refused naming the argument the caller gave, not an inner one.</summary>
public sealed class ArgumentNamingTests
{
    [Fact]
    public void FoolingWithASampleShapeTheModelCannotTakeNamesSampleShape()
    {
        using var model = new TorchClassifier(ModelZoo.Mlp(64, [16], 10, Activation.ReLU, 1), 10, inputShape: [64], ownsModule: true);
        var fooling = new EvolutionaryFooling(new EvolutionaryFoolingOptions { Generations = 2, PopulationSize = 4, Seed = 1 });
        var e = Assert.Throws<ArgumentException>(() => fooling.Generate(model, [0, 1], [1, 28, 28]));
        Assert.Equal("sampleShape", e.ParamName);
        Assert.Contains("[1, 28, 28]", e.Message);
        using var result = fooling.Generate(model, [0, 1], [64]); // the shape it takes still runs
        Assert.Equal(2, result.Images.shape[0]);
    }

    [Fact]
    public void ABackdoorTargetClassOutsideTheDataNamesTargetClass()
    {
        using var data = TestModels.Blobs(40, 64, seed: 3);
        var trigger = NeuralShield.Audit.AttackCatalog.Trigger(data.SampleShape);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BackdoorPoisoning(trigger, new BackdoorOptions { TargetClass = 10, Fraction = 0.1 }).Poison(data));
        Assert.Equal("TargetClass", e.ParamName);
        Assert.Contains($"{data.ClassCount} classes", e.Message);
    }

    [Fact]
    public void AFileThatIsNotAPyTorchZipIsNamedAsSuch()
    {
        var path = Path.Combine(Path.GetTempPath(), $"neuralshield-{Guid.NewGuid():N}.pt");
        try
        {
            File.WriteAllText(path, "this is a text file, not weights\n");
            var e = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Describe(path));
            Assert.Contains("not a PyTorch state_dict file", e.Message);
            Assert.Contains(path, e.Message);
            Assert.DoesNotContain("old PyTorch format", e.Message);
            File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c]); // the magic of a pre-1.6 pickle
            Assert.Contains("before PyTorch 1.6", Assert.Throws<InvalidDataException>(() => PyTorchWeights.Describe(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
