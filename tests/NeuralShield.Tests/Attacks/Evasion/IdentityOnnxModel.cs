using NeuralShield.Tests.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// An ONNX model whose 16 logits are its inputs (class = argmax), for the decision-based attacks: the nearest adversarial
/// of an input moves its top value and the runner-up to their midpoint, at L2 distance gap/√2 and L∞ distance gap/2.
/// </summary>
internal static class IdentityOnnxModel
{
    public const int Side = 4, Features = Side * Side;

    /// <summary>x [N, 1, 4, 4] → Flatten → y [N, 16]: an ONNX model whose 16 logits are its inputs.</summary>
    public static byte[] Bytes() => OnnxTestModels.Model(
        [new OnnxTestModels.Value("x", OnnxTestModels.Float, "N", 1, Side, Side)],
        [new OnnxTestModels.Value("y", OnnxTestModels.Float, "N", Features)],
        [new OnnxTestModels.Node("Flatten", ["x"], ["y"])]);

    /// <summary><paramref name="count"/> uniform inputs, their classes and the gap between their top two values.</summary>
    public static (Tensor X, Tensor Labels, Tensor Gap) Case(int count, long seed)
    {
        using var generator = new Generator((ulong)seed);
        var x = rand(count, 1, Side, Side, generator: generator);
        var top = x.view(count, Features).topk(2, 1);
        return (x, top.indexes.select(1, 0), top.values.select(1, 0) - top.values.select(1, 1));
    }
}
