using NeuralShield.Models;
using NeuralShield.Privacy;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Privacy;

/// <summary>Vectorised per-sample gradients against a loop of one backward pass per example.</summary>
public sealed class PerSampleGradientsTests
{
    internal static nn.Module<Tensor, Tensor> SmallCnn(long seed)
    {
        random.manual_seed(seed);
        return nn.Sequential(
            ("conv1", nn.Conv2d(1, 4, 3, stride: 2, padding: 1)), ("act1", nn.Tanh()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(4, 6, 2, dilation: 2)), ("act2", nn.ReLU()),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(6, 3)));
    }

    /// <summary>Sample n's gradient of its own cross-entropy, parameter by parameter, by plain autograd.</summary>
    internal static List<Tensor> LoopGradient(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int n)
    {
        model.zero_grad();
        using var logits = model.forward(x[n..(n + 1)]);
        using var loss = nn.functional.cross_entropy(logits, y[n..(n + 1)]);
        loss.backward();
        return model.parameters().Select(p => p.grad!.clone()).ToList();
    }

    private static void AssertMatchesLoop(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        var perSample = PerSampleGradients.Compute(model, x, y);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(names, perSample.Select(p => p.Name));
        for (var n = 0; n < x.shape[0]; n++)
        {
            var reference = LoopGradient(model, x, y, n);
            for (var i = 0; i < reference.Count; i++)
            {
                using var mine = perSample[i].Gradient[n];
                Assert.True(mine.allclose(reference[i], rtol: 1e-4, atol: 1e-6), $"sample {n}, {names[i]}");
                reference[i].Dispose();
            }
        }
        foreach (var (_, g) in perSample) g.Dispose();
    }

    [Fact]
    public void MlpMatchesPerExampleLoop()
    {
        using var model = ModelZoo.Mlp(7, [5, 4], 3, Activation.Tanh, seed: 2);
        using var g = new Generator(3);
        using var x = rand([6, 7], generator: g);
        using var y = randint(0, 3, [6], generator: g);
        AssertMatchesLoop(model, x, y);
    }

    [Fact]
    public void CnnWithStridePaddingDilationMatchesPerExampleLoop()
    {
        using var model = SmallCnn(4);
        using var g = new Generator(5);
        using var x = rand([5, 1, 14, 14], generator: g);
        using var y = randint(0, 3, [5], generator: g);
        AssertMatchesLoop(model, x, y);
    }

    [Fact]
    public void LeNetMatchesPerExampleLoop()
    {
        using var model = ModelZoo.LeNet5(10, 1, Activation.Tanh, seed: 6);
        using var g = new Generator(7);
        using var x = rand([3, 1, 28, 28], generator: g);
        using var y = randint(0, 10, [3], generator: g);
        AssertMatchesLoop(model, x, y);
    }

    [Fact]
    public void LayersOutsideLinearAndConvAreRefused()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 4)), ("bn", nn.BatchNorm1d(4)), ("out", nn.Linear(4, 2)));
        using var x = rand(3, 4);
        using var y = zeros(3, ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => PerSampleGradients.Compute(model, x, y));
        Assert.Contains("bn", e.Message);
        Assert.Equal("model", e.ParamName);
    }
}
