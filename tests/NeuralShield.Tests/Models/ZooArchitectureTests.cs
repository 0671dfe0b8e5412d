using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Models;

/// <summary><see cref="ZooArchitecture"/>: a zoo model by name and settings.</summary>
public class ZooArchitectureTests
{
    private static void AssertSameWeights(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b)
    {
        var pa = a.parameters().ToArray();
        var pb = b.parameters().ToArray();
        Assert.Equal(pa.Length, pb.Length);
        for (var i = 0; i < pa.Length; i++) Assert.True(pa[i].eq(pb[i]).all().item<bool>(), $"parameter {i} differs");
    }

    [Fact]
    public void CreateBuildsTheZoosModelWithItsSeed()
    {
        using (var spec = ZooArchitecture.Mlp(10, [8, 4], 3, Activation.Tanh).Create(7))
        using (var zoo = ModelZoo.Mlp(10, [8, 4], 3, Activation.Tanh, seed: 7))
            AssertSameWeights(spec, zoo);
        using (var spec = new ZooArchitecture(ZooModel.LeNet5, 0, 10).Create(3))
        using (var zoo = ModelZoo.LeNet5(10, seed: 3))
            AssertSameWeights(spec, zoo);
        using (var spec = new ZooArchitecture(ZooModel.SoftmaxRegression, 5, 2).Create(1))
        using (var zoo = ModelZoo.SoftmaxRegression(5, 2, seed: 1))
            AssertSameWeights(spec, zoo);
    }

    [Fact]
    public void EachZooNameIsTheSpecOfTheZoosConstructor()
    {
        // ModelZoo.Architecture(name, ...) against the constructor the name stands for, same seed, same weights.
        using (var named = ModelZoo.Architecture("tabular-mlp", [108], 2).Create(4))
        using (var zoo = ModelZoo.TabularMlp(108, 2, seed: 4))
            AssertSameWeights(named, zoo);
        using (var named = ModelZoo.Architecture("mlp", [8, 8], 10).Create(5))
        using (var zoo = ModelZoo.Mlp(64, [128, 64], 10, Activation.ReLU, seed: 5))
            AssertSameWeights(named, zoo);
        using (var named = ModelZoo.Architecture("distillation-cnn", [3, 28, 28], 10).Create(6))
        using (var zoo = ModelZoo.DistillationCnn(10, 3, seed: 6))
            AssertSameWeights(named, zoo);
        Assert.Equal(ModelZoo.Architecture("lenet5", [1, 28, 28], 10), ZooArchitecture.Of(ModelZoo.Architecture("lenet5", [1, 28, 28], 10).Create));
        Assert.Equal("sampleShape", Assert.Throws<ArgumentException>(() => ModelZoo.Architecture("lenet5", [64], 10)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => ModelZoo.Architecture("resnet", [64], 10)).ParamName);
    }

    [Fact]
    public void OfRecognisesASpecsCreateOnly()
    {
        var spec = ZooArchitecture.Mlp(10, [8], 2);
        Assert.Equal(spec, ZooArchitecture.Of(spec.Create));
        Assert.Equal(ZooArchitecture.Mlp(10, [8], 2), spec);
        Assert.NotEqual(ZooArchitecture.Mlp(10, [9], 2), spec);
        Assert.Null(ZooArchitecture.Of(s => ModelZoo.Mlp(10, [8], 2, seed: s)));
        Assert.Null(ZooArchitecture.Of(null));
    }

    [Fact]
    public void BadSettingsNameTheArgument()
    {
        Assert.Equal("Hidden", Assert.Throws<ArgumentException>(() => new ZooArchitecture(ZooModel.Mlp, 10, 2).Create(0)).ParamName);
        Assert.Equal("Model", Assert.Throws<ArgumentOutOfRangeException>(() => new ZooArchitecture((ZooModel)99, 10, 2).Create(0)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => new ZooArchitecture(ZooModel.SoftmaxRegression, 10, 1).Create(0)).ParamName);
        Assert.Throws<ArgumentNullException>(() => ZooArchitecture.Mlp(10, null!, 2));
    }
}
