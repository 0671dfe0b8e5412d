using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NeuralShield.Encrypted;

/// <summary>Networks that CKKS can evaluate (convolutions, dense layers and square activations only).</summary>
public static class CkksNetworks
{
    /// <summary>
    /// TenSEAL's encrypted MNIST network (the tutorial "Encrypted evaluation of a convolutional network on MNIST") for
    /// [N, 1, 28, 28]: conv 4 kernels 7×7 stride 3 (→ 4 × 8 × 8 = 256), square, fully connected 256 → 64, square, 64 → 10.
    /// Five multiplicative levels: it fits <see cref="CkksParameters.TenSealMnist"/>.
    /// </summary>
    public static Module<Tensor, Tensor> TenSealMnist(int hidden = 64, int classes = 10, long seed = 0)
    {
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "expected at least 1");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "expected at least 2");
        random.manual_seed(seed);
        return Sequential(
            ("conv", Conv2d(1, 4, 7, stride: 3)), ("square1", new SquareActivation()),
            ("flatten", Flatten()),
            ("fc1", Linear(256, hidden)), ("square2", new SquareActivation()),
            ("fc2", Linear(hidden, classes)));
    }
}
