using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>
/// An ONNX model read with OnnxSharp (the ONNX protobuf schema on Google.Protobuf): its nodes in order, its initializers
/// as tensors, its opset, and its one float input and output. Checked when read: every operator must be one
/// <see cref="OnnxOperators"/> implements, or a <see cref="NotSupportedException"/> names it and its node.
/// </summary>
internal sealed class OnnxGraph
{
    private OnnxGraph(string source, GraphProto graph, long opset, string inputName, long[] inputShape, string outputName, long[] outputShape)
    {
        Source = source;
        Nodes = graph.Node.ToArray();
        Opset = opset;
        InputName = inputName;
        InputShape = inputShape;
        OutputName = outputName;
        OutputShape = outputShape;
    }

    public string Source { get; }

    public IReadOnlyList<NodeProto> Nodes { get; }

    public long Opset { get; }

    public string InputName { get; }

    /// <summary>The declared input shape, batch first; −1 marks a dynamic dimension.</summary>
    public long[] InputShape { get; }

    public string OutputName { get; }

    /// <summary>The declared output shape, batch first; −1 marks a dynamic dimension.</summary>
    public long[] OutputShape { get; }

    /// <summary>Initializer name → tensor (float tensors as float32, integers as int64).</summary>
    public Dictionary<string, Tensor> Initializers { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not an ONNX model, or one without a graph.</exception>
    /// <exception cref="NotSupportedException">An operator the importer does not implement (the message names it and its node).</exception>
    /// <exception cref="ArgumentException">The named input or output does not exist, or the model has several and none is named.</exception>
    public static OnnxGraph Read(string path, string? inputName, string? outputName)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The ONNX model file '{path}' does not exist.", path);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
        var source = $"'{path}'";
        if (model.Graph is null || model.Graph.Node.Count == 0) throw new InvalidDataException($"{source} holds no ONNX graph.");
        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        var graph = model.Graph;
        foreach (var node in graph.Node)
        {
            if (node.Domain is not ("" or "ai.onnx") || !OnnxOperators.Supported.Contains(node.OpType))
                throw new NotSupportedException(
                    $"The ONNX operator '{(node.Domain is "" ? "" : node.Domain + ".")}{node.OpType}' (node '{node.Name}', output '{node.Output.FirstOrDefault()}') of {source} " +
                    $"is not supported by the importer; it supports {string.Join(", ", OnnxOperators.Supported.Order(StringComparer.Ordinal))}.");
        }
        var initializerNames = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializerNames.Contains(i.Name)).ToArray();
        var input = Pick(inputs, inputName, "input", source, "InputName");
        var output = Pick(graph.Output.ToArray(), outputName, "output", source, "OutputName");
        var result = new OnnxGraph(source, graph, opset, input.Name, Shape(input, source), output.Name, Shape(output, source));
        foreach (var init in graph.Initializer) result.Initializers[init.Name] = ToTensor(init, source);
        return result;
    }

    private static ValueInfoProto Pick(ValueInfoProto[] values, string? requested, string kind, string source, string option)
    {
        var names = string.Join(", ", values.Select(v => $"'{v.Name}'"));
        if (requested is not null)
            return values.FirstOrDefault(v => v.Name == requested)
                   ?? throw new ArgumentException($"{option} is '{requested}' but the model {source} has no such {kind}; its {kind}s are {names}.", "options");
        return values.Length switch
        {
            1 => values[0],
            0 => throw new ArgumentException($"The model {source} has no {kind}.", "options"),
            _ => throw new ArgumentException($"The model {source} has {values.Length} {kind}s ({names}); set {option} to the one to use.", "options"),
        };
    }

    private static long[] Shape(ValueInfoProto value, string source)
    {
        var tensorType = value.Type?.TensorType;
        if (tensorType is null || tensorType.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new ArgumentException($"'{value.Name}' of {source} is not a float32 tensor; only float32 inputs and outputs are supported.", "options");
        if (tensorType.Shape is null) return [];
        return tensorType.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue : -1L).ToArray();
    }

    /// <summary>A TensorProto as a TorchSharp tensor: floating types as float32, integer types as int64, booleans as bool.</summary>
    public static Tensor ToTensor(TensorProto t, string source)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new NotSupportedException($"The ONNX tensor '{t.Name}' of {source} is stored in an external file; the importer reads models saved in one file (onnx.save_model(..., save_as_external_data=False)).");
        var dims = t.Dims.ToArray();
        var count = dims.Aggregate(1L, (a, b) => a * b);
        var raw = t.RawData.Length > 0 ? t.RawData.ToByteArray() : null;
        switch ((TensorProto.Types.DataType)t.DataType)
        {
            case TensorProto.Types.DataType.Float:
                return tensor(raw is not null ? Cast<float>(raw, count) : Counted(t.FloatData.ToArray(), count), dims);
            case TensorProto.Types.DataType.Double:
                return tensor((raw is not null ? Cast<double>(raw, count) : t.DoubleData.ToArray()).Select(v => (float)v).ToArray(), dims);
            case TensorProto.Types.DataType.Int64:
                return tensor(raw is not null ? Cast<long>(raw, count) : t.Int64Data.ToArray(), dims);
            case TensorProto.Types.DataType.Int32:
                return tensor((raw is not null ? Cast<int>(raw, count) : t.Int32Data.ToArray()).Select(v => (long)v).ToArray(), dims);
            case TensorProto.Types.DataType.Bool:
                return tensor((raw is not null ? raw.Select(b => (int)b).ToArray() : t.Int32Data.ToArray()).Select(v => v != 0).ToArray(), dims);
            default:
                throw new NotSupportedException($"The ONNX tensor '{t.Name}' of {source} has data type {(TensorProto.Types.DataType)t.DataType}; the importer reads float, double, int32, int64 and bool tensors.");
        }
    }

    private static T[] Cast<T>(byte[] raw, long count) where T : unmanaged =>
        Counted(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(raw).ToArray(), count);

    private static T[] Counted<T>(T[] values, long count) =>
        values.Length == count ? values : throw new InvalidDataException($"An ONNX tensor holds {values.Length} values where its shape needs {count}.");
}
