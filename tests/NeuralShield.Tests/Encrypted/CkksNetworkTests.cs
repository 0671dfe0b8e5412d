using NeuralShield.Encrypted;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NeuralShield.Tests.Encrypted;

public sealed class CkksNetworkTests
{
    private static float[][] Images(int count, int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, width).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
    }

    private static double[][] TorchLogits(Module<Tensor, Tensor> module, float[][] images, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        module.eval();
        var input = tensor(images.SelectMany(x => x).ToArray(), [images.Length, .. shape]);
        var logits = module.forward(input).to_type(ScalarType.Float64);
        return Enumerable.Range(0, images.Length).Select(i => logits[i].data<double>().ToArray()).ToArray();
    }

    private static double[][] SlotLogits(CkksNetwork network, float[][] images, out PlainSlotEvaluator evaluator)
    {
        evaluator = new PlainSlotEvaluator(network.Parameters);
        var e = evaluator;
        var inputs = network.EncodeInputs(images).Select(e.Put).ToArray();
        var output = network.Evaluate(evaluator, inputs);
        return network.DecodeOutputs(evaluator.Get(output), images.Length);
    }

    [Fact]
    public void TheSlotLayoutComputesTheTenSealNetworkForEveryImageOfABatch()
    {
        using var module = CkksNetworks.TenSealMnist(seed: 3);
        var network = CkksNetwork.FromModule(module, [1, 28, 28], CkksParameters.TenSealMnist);
        Assert.Equal(512, network.BlockSize);
        Assert.Equal(8, network.ImagesPerCiphertext);
        Assert.Equal(49, network.InputCiphertexts);
        Assert.Equal(5, network.Levels);
        var images = Images(network.ImagesPerCiphertext, 784, 11);
        var expected = TorchLogits(module, images, [1, 28, 28]);
        var actual = SlotLogits(network, images, out var evaluator);
        for (var i = 0; i < images.Length; i++)
            for (var k = 0; k < 10; k++)
                Assert.True(Math.Abs(expected[i][k] - actual[i][k]) <= 1e-3 * (1 + Math.Abs(expected[i][k])), $"image {i} logit {k}: {actual[i][k]} vs {expected[i][k]}");
        // The rotations it used are the ones the client is asked to make keys for, and nothing is left behind.
        Assert.Subset(network.RotationSteps.ToHashSet(), evaluator.Rotations);
        Assert.Equal(49 + 1, evaluator.Count);
    }

    [Fact]
    public void ADenseOnlyNetworkWithOddWidthsIsLaidOutToo()
    {
        random.manual_seed(5);
        using var module = Sequential(("fc1", Linear(13, 7)), ("sq", new SquareActivation()), ("fc2", Linear(7, 3)));
        var network = CkksNetwork.FromModule(module, [13], CkksParameters.TenSealMnist);
        var images = Images(3, 13, 4);
        var expected = TorchLogits(module, images, [13]);
        var actual = SlotLogits(network, images, out _);
        for (var i = 0; i < images.Length; i++)
            for (var k = 0; k < 3; k++)
                Assert.Equal(expected[i][k], actual[i][k], 4);
    }

    [Fact]
    public void ReLUAndMaxPoolingAreRefusedByName()
    {
        random.manual_seed(0);
        using var relu = Sequential(("conv", Conv2d(1, 4, 7, stride: 3)), ("act", ReLU()), ("flatten", Flatten()), ("fc", Linear(256, 10)));
        var e1 = Assert.Throws<ArgumentException>(() => CkksNetwork.FromModule(relu, [1, 28, 28], CkksParameters.TenSealMnist));
        Assert.Contains("'act' (ReLU) cannot be evaluated under CKKS", e1.Message);
        using var pool = Sequential(("conv", Conv2d(1, 4, 7, stride: 3)), ("sq", new SquareActivation()), ("pool", MaxPool2d(2)), ("flatten", Flatten()), ("fc", Linear(64, 10)));
        var e2 = Assert.Throws<ArgumentException>(() => CkksNetwork.FromModule(pool, [1, 28, 28], CkksParameters.TenSealMnist));
        Assert.Contains("'pool' (MaxPool2d) cannot be evaluated under CKKS", e2.Message);
    }

    [Fact]
    public void ANetworkDeeperThanTheModulusChainIsRefused()
    {
        random.manual_seed(0);
        using var module = Sequential(Linear(4, 4), new SquareActivation(), Linear(4, 4), new SquareActivation(), Linear(4, 4), new SquareActivation(), Linear(4, 2));
        var e = Assert.Throws<ArgumentException>(() => CkksNetwork.FromModule(module, [4], CkksParameters.TenSealMnist));
        Assert.Contains("needs 7 multiplicative levels", e.Message);
    }
}
