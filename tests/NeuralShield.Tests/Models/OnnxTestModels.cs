using System.Text;

namespace NeuralShield.Tests.Models;

/// <summary>
/// Tiny ONNX models written as protobuf bytes in the test itself (no ONNX tooling needed): one node graph at a time,
/// for the shapes and cases the real MNIST models do not cover (several inputs or outputs, fixed batch sizes other
/// than 1, undeclared class dimensions, non-float inputs).
/// </summary>
internal static class OnnxTestModels
{
    public const int Float = 1;
    public const int Int64 = 7;

    /// <summary>A dimension: a size, or a name for a dynamic one.</summary>
    public readonly record struct Dim(long Value, string? Param)
    {
        public static implicit operator Dim(long value) => new(value, null);

        public static implicit operator Dim(string param) => new(0, param);
    }

    public sealed record Value(string Name, int ElementType, params Dim[] Shape);

    public sealed record Node(string OpType, string[] Inputs, string[] Outputs, long? CastTo = null);

    /// <summary>x [batch, 1, 2, 2] → Flatten → y [batch, 4]: the identity on 4 features ("logits" equal to the inputs).</summary>
    public static byte[] Flatten(Dim? batch = null) => Model(
        [new Value("x", Float, batch ?? "N", 1, 2, 2)],
        [new Value("y", Float, batch ?? "N", 4)],
        [new Node("Flatten", ["x"], ["y"])]);

    /// <summary>x [N, F] → Identity → y [N, F]: per-sample size and class count both dynamic.</summary>
    public static byte[] DynamicIdentity() => Model(
        [new Value("x", Float, "N", "F")],
        [new Value("y", Float, "N", "F")],
        [new Node("Identity", ["x"], ["y"])]);

    /// <summary>x [N, 1, 2, 2] → Flatten → Softmax → p [N, 4]: a model that ends in a softmax.</summary>
    public static byte[] FlattenSoftmax() => Model(
        [new Value("x", Float, "N", 1, 2, 2)],
        [new Value("p", Float, "N", 4)],
        [new Node("Flatten", ["x"], ["f"]), new Node("Softmax", ["f"], ["p"])]);

    /// <summary>x [N, 2, 1, 2] → Flatten → y [N, 4]: two channels, for per-channel normalisation.</summary>
    public static byte[] TwoChannels() => Model(
        [new Value("x", Float, "N", 2, 1, 2)],
        [new Value("y", Float, "N", 4)],
        [new Node("Flatten", ["x"], ["y"])]);

    /// <summary>a + b, flattened: a model with two inputs.</summary>
    public static byte[] TwoInputs() => Model(
        [new Value("a", Float, "N", 1, 2, 2), new Value("b", Float, "N", 1, 2, 2)],
        [new Value("y", Float, "N", 4)],
        [new Node("Add", ["a", "b"], ["s"]), new Node("Flatten", ["s"], ["y"])]);

    /// <summary>Flatten to "logits", and their softmax to "probabilities": a model with two outputs.</summary>
    public static byte[] TwoOutputs() => Model(
        [new Value("x", Float, "N", 1, 2, 2)],
        [new Value("logits", Float, "N", 4), new Value("probabilities", Float, "N", 4)],
        [new Node("Flatten", ["x"], ["logits"]), new Node("Softmax", ["logits"], ["probabilities"])]);

    /// <summary>An int64 input [N, 4] cast to float: a model whose input is not float32.</summary>
    public static byte[] Int64Input() => Model(
        [new Value("x", Int64, "N", 4)],
        [new Value("y", Float, "N", 4)],
        [new Node("Cast", ["x"], ["y"], CastTo: Float)]);

    public static byte[] Model(IReadOnlyList<Value> inputs, IReadOnlyList<Value> outputs, IReadOnlyList<Node> nodes)
    {
        var graph = new Proto();
        foreach (var n in nodes)
        {
            var node = new Proto();
            foreach (var i in n.Inputs) node.String(1, i);
            foreach (var o in n.Outputs) node.String(2, o);
            node.String(4, n.OpType);
            if (n.CastTo is { } to) node.Message(5, new Proto().String(1, "to").Varint(3, to).Varint(20, 2));
            graph.Message(1, node);
        }
        graph.String(2, "test");
        foreach (var v in inputs) graph.Message(11, ValueInfo(v));
        foreach (var v in outputs) graph.Message(12, ValueInfo(v));
        return new Proto()
            .Varint(1, 8)                                  // ir_version
            .String(2, "NeuralShield.Tests")               // producer_name
            .Message(7, graph)
            .Message(8, new Proto().String(1, "").Varint(2, 13))   // opset 13 of the default domain
            .ToArray();
    }

    private static Proto ValueInfo(Value v)
    {
        var shape = new Proto();
        foreach (var d in v.Shape)
            shape.Message(1, d.Param is null ? new Proto().Varint(1, d.Value) : new Proto().String(2, d.Param));
        var tensor = new Proto().Varint(1, v.ElementType).Message(2, shape);
        return new Proto().String(1, v.Name).Message(2, new Proto().Message(1, tensor));
    }

    /// <summary>Protobuf wire format: varints (wire type 0) and length-delimited fields (wire type 2).</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        public Proto Varint(int field, long value)
        {
            WriteVarint((ulong)(field << 3));
            WriteVarint((ulong)value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private Proto Bytes(int field, byte[] value)
        {
            WriteVarint((ulong)((field << 3) | 2));
            WriteVarint((ulong)value.Length);
            _bytes.Write(value);
            return this;
        }

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.WriteByte((byte)value);
        }
    }
}
