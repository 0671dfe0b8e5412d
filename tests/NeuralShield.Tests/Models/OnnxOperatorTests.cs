using Google.Protobuf;
using NeuralShield.Onnx;
using Onnx;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Models;

/// <summary>
/// Operator paths the test models do not reach, each against a hand computation of the ONNX specification's definition
/// (written with loops, not with the TorchSharp call the importer uses).
/// </summary>
public class OnnxOperatorTests
{
    private static NodeProto Node(string op, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op.ToLowerInvariant() };
        node.Output.Add("y");
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };

    private static AttributeProto Float(string name, float value) => new() { Name = name, F = value, Type = AttributeProto.Types.AttributeType.Float };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Text(string name, string value) => new() { Name = name, S = ByteString.CopyFromUtf8(value), Type = AttributeProto.Types.AttributeType.String };

    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [Fact]
    public void GemmWithAlphaBetaAndTransposedAIsAlphaATransposedBPlusBetaC()
    {
        using var scope = NewDisposeScope();
        var a = arange(6, ScalarType.Float32).reshape(3, 2);          // A is [K=3, M=2], transposed to [2, 3]
        var b = arange(12, ScalarType.Float32).reshape(3, 4) - 5;
        var c = tensor(new float[] { 1, -1, 2, 0.5f });
        var y = OnnxOperators.Run(Node("Gemm", Float("alpha", 2f), Float("beta", 0.5f), Int("transA", 1)), [a, b, c], 13, CPU)[0];
        var av = Values(a);
        var bv = Values(b);
        var cv = Values(c);
        var expected = new float[8];
        for (var m = 0; m < 2; m++)
            for (var n = 0; n < 4; n++)
            {
                float sum = 0;
                for (var k = 0; k < 3; k++) sum += av[k * 2 + m] * bv[k * 4 + n];
                expected[m * 4 + n] = 2f * sum + 0.5f * cv[n];
            }
        Assert.Equal(new long[] { 2, 4 }, y.shape);
        Assert.Equal(expected, Values(y));
    }

    [Fact]
    public void SliceWithANegativeStepWalksBackwards()
    {
        using var scope = NewDisposeScope();
        var x = arange(10, ScalarType.Float32);
        var y = OnnxOperators.Run(Node("Slice"), [x, tensor(new long[] { 8 }), tensor(new long[] { 1 }), tensor(new long[] { 0 }), tensor(new long[] { -3 })], 13, CPU)[0];
        Assert.Equal(new float[] { 8, 5, 2 }, Values(y));
        // The exporters' "reverse everything" idiom: start −1, end INT64_MIN, step −1.
        var reversed = OnnxOperators.Run(Node("Slice"), [x, tensor(new long[] { -1 }), tensor(new long[] { long.MinValue }), tensor(new long[] { 0 }), tensor(new long[] { -1 })], 13, CPU)[0];
        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => (float)i).ToArray(), Values(reversed));
    }

    [Fact]
    public void SoftmaxBeforeOpset13FlattensFromItsAxis()
    {
        using var scope = NewDisposeScope();
        var x = (arange(24, ScalarType.Float32).reshape(2, 3, 4) * 0.1).sin();
        var y = OnnxOperators.Run(Node("Softmax", Int("axis", 1)), [x], 11, CPU)[0];
        var v = Values(x);
        var expected = new float[24];
        for (var row = 0; row < 2; row++)
        {
            var sum = 0.0;
            for (var i = 0; i < 12; i++) sum += Math.Exp(v[row * 12 + i]);
            for (var i = 0; i < 12; i++) expected[row * 12 + i] = (float)(Math.Exp(v[row * 12 + i]) / sum);
        }
        Assert.Equal(expected, Values(y), (p, q) => Math.Abs(p - q) < 1e-6);
    }

    [Fact]
    public void PadInReflectModeMirrorsWithoutTheEdge()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 }).reshape(1, 1, 3);
        var y = OnnxOperators.Run(Node("Pad", Text("mode", "reflect")), [x, tensor(new long[] { 0, 0, 2, 0, 0, 1 })], 13, CPU)[0];
        Assert.Equal(new float[] { 3, 2, 1, 2, 3, 2 }, Values(y));
        var edge = OnnxOperators.Run(Node("Pad", Text("mode", "edge")), [x, tensor(new long[] { 0, 0, 2, 0, 0, 1 })], 13, CPU)[0];
        Assert.Equal(new float[] { 1, 1, 1, 2, 3, 3 }, Values(edge));
    }

    [Fact]
    public void ConvWithSameLowerPadsTheExtraRowAndColumnFirst()
    {
        using var scope = NewDisposeScope();
        var x = arange(25, ScalarType.Float32).reshape(1, 1, 5, 5);
        var w = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2);
        var y = OnnxOperators.Run(Node("Conv", Text("auto_pad", "SAME_LOWER"), Ints("strides", 2, 2)), [x, w], 13, CPU)[0];
        // Output ceil(5/2) = 3; total padding (3−1)·2 + 2 − 5 = 1, all of it before (SAME_LOWER).
        var v = Values(x);
        float At(int r, int c) => r < 0 || c < 0 || r >= 5 || c >= 5 ? 0 : v[r * 5 + c];
        var expected = new float[9];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                expected[i * 3 + j] = 1 * At(2 * i - 1, 2 * j - 1) + 2 * At(2 * i - 1, 2 * j) + 3 * At(2 * i, 2 * j - 1) + 4 * At(2 * i, 2 * j);
        Assert.Equal(new long[] { 1, 1, 3, 3 }, y.shape);
        Assert.Equal(expected, Values(y));
    }

    [Fact]
    public void GatherWithAScalarIndexDropsTheAxis()
    {
        using var scope = NewDisposeScope();
        var x = arange(12, ScalarType.Float32).reshape(3, 4);
        var y = OnnxOperators.Run(Node("Gather", Int("axis", 1)), [x, tensor(-2L)], 13, CPU)[0];
        Assert.Equal(new long[] { 3 }, y.shape);
        Assert.Equal(new float[] { 2, 6, 10 }, Values(y));
    }
}
