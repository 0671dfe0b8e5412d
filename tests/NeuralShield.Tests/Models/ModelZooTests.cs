using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Models;

public class ModelZooTests
{
    public static TheoryData<string> Names => new() { "softmax", "mlp", "tabular", "lenet", "distillation" };

    private static nn.Module<Tensor, Tensor> Make(string name, long seed) => name switch
    {
        "softmax" => ModelZoo.SoftmaxRegression(784, 10, seed),
        "mlp" => ModelZoo.Mlp(784, [20, 10], 10, Activation.Sigmoid, seed),
        "tabular" => ModelZoo.TabularMlp(784, 10, seed),
        "lenet" => ModelZoo.LeNet5(seed: seed),
        _ => ModelZoo.DistillationCnn(seed: seed),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void EachModelMapsImagesToLogitsAndIsSeeded(string name)
    {
        using var a = Make(name, 5);
        using var b = Make(name, 5);
        using var c = Make(name, 6);
        using var x = rand(3, 1, 28, 28);
        using var _ = no_grad();
        using var ya = a.forward(x);
        using var yb = b.forward(x);
        using var yc = c.forward(x);
        Assert.Equal(new long[] { 3, 10 }, ya.shape);
        Assert.True(TensorAssert.Same(ya, yb));
        Assert.False(TensorAssert.Same(ya, yc));
    }

    [Fact]
    public void BadZooArgumentsAreRejected()
    {
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => ModelZoo.SoftmaxRegression(10, 1)).ParamName);
        Assert.Equal("hidden", Assert.Throws<ArgumentException>(() => ModelZoo.Mlp(10, [], 3)).ParamName);
        Assert.Equal("inputFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => ModelZoo.Mlp(0, [4], 3)).ParamName);
    }

    [Fact]
    public void ClassifierChecksShapesAndCountsQueries()
    {
        using var classifier = new TorchClassifier(ModelZoo.LeNet5(), 10, inputShape: [1, 28, 28], ownsModule: true);
        using var x = rand(5, 1, 28, 28);
        using var p = classifier.PredictProbabilities(x);
        Assert.Equal(5, classifier.QueryCount);
        using var sums = p.sum(1);
        Assert.True(sums.allclose(ones(5), atol: 1e-5));
        using var wrong = rand(5, 1, 27, 28);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => classifier.PredictProbabilities(wrong)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TorchClassifier(ModelZoo.LeNet5(), 1));
        // A class count the module cannot give is refused when the classifier is made: from the last linear layer's width,
        // or from one sample's forward pass when the input shape is known (the last layer here has no parameters).
        using var lenet = ModelZoo.LeNet5();
        var e = Assert.Throws<ArgumentException>(() => new TorchClassifier(lenet, 3));
        Assert.Equal("classCount", e.ParamName);
        Assert.Contains("outputs 10 logits", e.Message);
        using var pooled = TorchSharp.torch.nn.Sequential(("fc", TorchSharp.torch.nn.Linear(4, 6)), ("relu", TorchSharp.torch.nn.ReLU()),
            ("pick", new TakeFirst(4)));
        Assert.Equal("classCount", Assert.Throws<ArgumentException>(() => new TorchClassifier(pooled, 6, inputShape: [4])).ParamName);
        using var four = new TorchClassifier(pooled, 4, inputShape: [4]);
        Assert.Equal(4, four.ClassCount);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => new TorchClassifier(pooled, 4, inputShape: [5])).ParamName);
    }

    /// <summary>The first <c>count</c> columns of its input (a parameterless last layer).</summary>
    private sealed class TakeFirst(long count) : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>("take")
    {
        public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor input) => input[.., ..(int)count];
    }
}
