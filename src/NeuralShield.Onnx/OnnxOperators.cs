using Onnx;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NeuralShield.Onnx;

/// <summary>
/// The ONNX operators the importer runs, each as TorchSharp operations (so autograd differentiates the graph), by the
/// ONNX operator specification's definitions for opsets 7 to 18 (attributes that became inputs are read from either).
/// </summary>
internal static class OnnxOperators
{
    public static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant", "ConstantOfShape", "Conv", "Div",
        "Dropout", "Exp", "Flatten", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Identity", "LeakyRelu", "Log",
        "LogSoftmax", "MatMul", "MaxPool", "Mul", "Neg", "Pad", "Relu", "ReduceMean", "ReduceSum", "Reshape", "Shape", "Sigmoid",
        "Slice", "Softmax", "Sqrt", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
    };

    /// <summary>The outputs of <paramref name="node"/> for its inputs (null for an omitted optional input).</summary>
    public static Tensor[] Run(NodeProto node, Tensor?[] x, long opset, Device device)
    {
        Tensor X(int i) => x.Length > i && x[i] is { } t ? t : throw new InvalidDataException($"Node '{node.Name}' ({node.OpType}) lacks its input {i}.");
        return node.OpType switch
        {
            "Add" => [X(0) + X(1)],
            "Sub" => [X(0) - X(1)],
            "Mul" => [X(0) * X(1)],
            "Div" => [X(0).is_floating_point() ? X(0) / X(1) : X(0).div(X(1), RoundingMode.trunc)],
            "Neg" => [X(0).neg()],
            "Exp" => [X(0).exp()],
            "Log" => [X(0).log()],
            "Sqrt" => [X(0).sqrt()],
            "Relu" => [F.relu(X(0))],
            "LeakyRelu" => [F.leaky_relu(X(0), Float(node, "alpha", 0.01f))],
            "Sigmoid" => [X(0).sigmoid()],
            "Tanh" => [X(0).tanh()],
            "Softmax" => [SoftmaxLike(node, X(0), opset, log: false)],
            "LogSoftmax" => [SoftmaxLike(node, X(0), opset, log: true)],
            "MatMul" => [X(0).matmul(X(1))],
            "Gemm" => [Gemm(node, X(0), X(1), x.Length > 2 ? x[2] : null)],
            "Conv" => [Conv(node, X(0), X(1), x.Length > 2 ? x[2] : null)],
            "MaxPool" => [Pool(node, X(0), max: true)],
            "AveragePool" => [Pool(node, X(0), max: false)],
            "GlobalAveragePool" => [X(0).mean(Enumerable.Range(2, (int)X(0).dim() - 2).Select(i => (long)i).ToArray(), keepdim: true)],
            "GlobalMaxPool" => [X(0).amax(Enumerable.Range(2, (int)X(0).dim() - 2).Select(i => (long)i).ToArray(), keepdim: true)],
            "ReduceMean" => [Reduce(node, x, opset >= 18, mean: true)],
            "ReduceSum" => [Reduce(node, x, opset >= 13, mean: false)],
            "BatchNormalization" => [F.batch_norm(X(0), X(3), X(4), X(1), X(2), training: false, eps: Float(node, "epsilon", 1e-5f))],
            "Flatten" => [Flatten(node, X(0))],
            "Reshape" => [Reshape(node, X(0), X(1))],
            "Transpose" => [X(0).permute(Ints(node, "perm") ?? Enumerable.Range(0, (int)X(0).dim()).Reverse().Select(i => (long)i).ToArray())],
            "Concat" => [cat(x.OfType<Tensor>().ToList(), Int(node, "axis", 0))],
            "Constant" => [ConstantValue(node).to(device)],
            "Identity" => [X(0).alias()],
            "Dropout" => node.Output.Count > 1 ? [X(0).alias(), ones_like(X(0), ScalarType.Bool)] : [X(0).alias()],
            "Clip" => [Clip(node, x, opset)],
            "Pad" => [Pad(node, x, opset)],
            "Squeeze" => [Squeeze(node, X(0), Axes(node, x, 1, opset >= 13))],
            "Unsqueeze" => [Unsqueeze(X(0), Axes(node, x, 1, opset >= 13) ?? throw new InvalidDataException($"Unsqueeze node '{node.Name}' has no axes."))],
            "Shape" => [ShapeOf(node, X(0))],
            "Gather" => [Gather(X(0), X(1), Int(node, "axis", 0))],
            "Cast" => [X(0).to_type(DType(node, Int(node, "to", 1)))],
            "ConstantOfShape" => [ConstantOfShape(node, X(0))],
            "Slice" => [Slice(node, x, opset)],
            _ => throw new NotSupportedException($"The ONNX operator '{node.OpType}' (node '{node.Name}') is not supported by the importer."),
        };
    }

    private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static float Float(NodeProto node, string name, float fallback) => Attribute(node, name) is { } a ? a.F : fallback;

    private static long Int(NodeProto node, string name, long fallback) => Attribute(node, name) is { } a ? a.I : fallback;

    private static long[]? Ints(NodeProto node, string name) => Attribute(node, name) is { } a ? a.Ints.ToArray() : null;

    private static string Text(NodeProto node, string name, string fallback) => Attribute(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    private static long[] Values(Tensor t) => t.to_type(ScalarType.Int64).cpu().data<long>().ToArray();

    private static long Normalize(long axis, long rank) => axis < 0 ? axis + rank : axis;

    private static Tensor SoftmaxLike(NodeProto node, Tensor x, long opset, bool log)
    {
        var rank = x.dim();
        var axis = Normalize(Int(node, "axis", opset >= 13 ? -1 : 1), rank);
        if (opset >= 13 || axis == rank - 1) return log ? x.log_softmax(axis) : x.softmax(axis);
        // Before opset 13 the input is flattened to 2-D at axis and the softmax taken over the second dimension.
        var shape = x.shape;
        var flat = x.reshape(shape[..(int)axis].Aggregate(1L, (a, b) => a * b), -1);
        return (log ? flat.log_softmax(1) : flat.softmax(1)).reshape(shape);
    }

    private static Tensor Gemm(NodeProto node, Tensor a, Tensor b, Tensor? c)
    {
        var alpha = Float(node, "alpha", 1f);
        var beta = Float(node, "beta", 1f);
        var transA = Int(node, "transA", 0) != 0;
        var transB = Int(node, "transB", 0) != 0;
        if (!transA && transB && alpha == 1f && beta == 1f) return F.linear(a, b, c); // the layout of a PyTorch Linear layer
        var y = (transA ? a.t() : a).mm(transB ? b.t() : b);
        if (alpha != 1f) y = y * alpha;
        return c is null ? y : beta == 1f ? y + c : y + c * beta;
    }

    /// <summary>Begin and end paddings of every spatial axis: explicit, or from auto_pad (SAME_UPPER, SAME_LOWER, VALID).</summary>
    private static (long[] Begin, long[] End) Paddings(NodeProto node, long[] spatial, long[] kernel, long[] strides, long[] dilations)
    {
        var r = spatial.Length;
        var autoPad = Text(node, "auto_pad", "NOTSET");
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            var begin = new long[r];
            var end = new long[r];
            for (var i = 0; i < r; i++)
            {
                var output = (spatial[i] + strides[i] - 1) / strides[i];
                var total = Math.Max(0, (output - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i]);
                var small = total / 2;
                (begin[i], end[i]) = autoPad == "SAME_UPPER" ? (small, total - small) : (total - small, small);
            }
            return (begin, end);
        }
        if (autoPad == "VALID") return (new long[r], new long[r]);
        var pads = Ints(node, "pads") ?? new long[2 * r];
        return (pads[..r], pads[r..]);
    }

    /// <summary>Pads the spatial axes of <paramref name="x"/> [N, C, ...] by (begin, end) each, with <paramref name="value"/>.</summary>
    private static Tensor PadSpatial(Tensor x, long[] begin, long[] end, double value)
    {
        var pad = new long[2 * begin.Length];
        for (var i = 0; i < begin.Length; i++)
        {
            // F.pad lists the last axis first.
            pad[2 * i] = begin[begin.Length - 1 - i];
            pad[2 * i + 1] = end[begin.Length - 1 - i];
        }
        return F.pad(x, pad, PaddingModes.Constant, value);
    }

    private static Tensor Conv(NodeProto node, Tensor x, Tensor w, Tensor? b)
    {
        var r = (int)w.dim() - 2;
        var kernel = Ints(node, "kernel_shape") ?? w.shape[2..];
        var strides = Ints(node, "strides") ?? Enumerable.Repeat(1L, r).ToArray();
        var dilations = Ints(node, "dilations") ?? Enumerable.Repeat(1L, r).ToArray();
        var groups = Int(node, "group", 1);
        var (begin, end) = Paddings(node, x.shape[2..], kernel, strides, dilations);
        var padding = begin;
        if (!begin.SequenceEqual(end))
        {
            x = PadSpatial(x, begin, end, 0);
            padding = new long[r];
        }
        return r switch
        {
            1 => F.conv1d(x, w, b, strides[0], padding[0], dilations[0], groups),
            2 => F.conv2d(x, w, b, strides, padding, dilations, groups),
            3 => F.conv3d(x, w, b, strides, padding, dilations, groups),
            _ => throw new NotSupportedException($"Conv node '{node.Name}' has {r} spatial axes; the importer runs 1, 2 or 3."),
        };
    }

    private static Tensor Pool(NodeProto node, Tensor x, bool max)
    {
        var kernel = Ints(node, "kernel_shape") ?? throw new InvalidDataException($"{node.OpType} node '{node.Name}' has no kernel_shape.");
        var r = kernel.Length;
        var strides = Ints(node, "strides") ?? Enumerable.Repeat(1L, r).ToArray();
        var dilations = Ints(node, "dilations") ?? Enumerable.Repeat(1L, r).ToArray();
        var ceil = Int(node, "ceil_mode", 0) != 0;
        var (begin, end) = Paddings(node, x.shape[2..], kernel, strides, dilations);
        var padding = begin;
        var countIncludePad = Int(node, "count_include_pad", 0) != 0;
        if (!begin.SequenceEqual(end))
        {
            if (!max && !countIncludePad)
                throw new NotSupportedException($"AveragePool node '{node.Name}' pads unevenly without counting the padding; the importer does not run that.");
            x = PadSpatial(x, begin, end, max ? double.NegativeInfinity : 0);
            padding = new long[r];
        }
        if (max)
        {
            return r switch
            {
                1 => F.max_pool1d(x, kernel[0], strides[0], padding[0], dilations[0], ceil),
                2 => F.max_pool2d(x, kernel, strides, padding, dilations, ceil),
                _ => throw new NotSupportedException($"MaxPool node '{node.Name}' has {r} spatial axes; the importer runs 1 or 2."),
            };
        }
        if (dilations.Any(d => d != 1)) throw new NotSupportedException($"AveragePool node '{node.Name}' is dilated; the importer does not run that.");
        return r switch
        {
            1 => F.avg_pool1d(x, kernel[0], strides[0], padding[0], ceil, countIncludePad),
            2 => F.avg_pool2d(x, kernel, strides, padding, ceil, countIncludePad),
            _ => throw new NotSupportedException($"AveragePool node '{node.Name}' has {r} spatial axes; the importer runs 1 or 2."),
        };
    }

    /// <summary>The axes of a Squeeze, Unsqueeze or Reduce node: from an input (newer opsets) or the "axes" attribute.</summary>
    private static long[]? Axes(NodeProto node, Tensor?[] x, int inputIndex, bool fromInput) =>
        fromInput ? x.Length > inputIndex && x[inputIndex] is { } t ? Values(t) : null : Ints(node, "axes");

    private static Tensor Reduce(NodeProto node, Tensor?[] x, bool axesFromInput, bool mean)
    {
        var input = x[0]!;
        var axes = Axes(node, x, 1, axesFromInput);
        var keep = Int(node, "keepdims", 1) != 0;
        if (axes is null || axes.Length == 0)
        {
            if (Int(node, "noop_with_empty_axes", 0) != 0) return input.alias();
            axes = Enumerable.Range(0, (int)input.dim()).Select(i => (long)i).ToArray();
        }
        axes = axes.Select(a => Normalize(a, input.dim())).ToArray();
        return mean ? input.mean(axes, keepdim: keep) : input.sum(axes, keepdim: keep);
    }

    private static Tensor Flatten(NodeProto node, Tensor x)
    {
        var axis = Normalize(Int(node, "axis", 1), x.dim());
        var outer = x.shape[..(int)axis].Aggregate(1L, (a, b) => a * b);
        return x.reshape(outer, -1);
    }

    private static Tensor Reshape(NodeProto node, Tensor x, Tensor shapeTensor)
    {
        var shape = Values(shapeTensor);
        if (Int(node, "allowzero", 0) == 0)
            for (var i = 0; i < shape.Length; i++)
                if (shape[i] == 0)
                    shape[i] = i < x.dim() ? x.shape[i] : throw new InvalidDataException($"Reshape node '{node.Name}' copies dimension {i} of a rank-{x.dim()} input.");
        return x.reshape(shape);
    }

    private static Tensor ConstantValue(NodeProto node)
    {
        var a = node.Attribute.FirstOrDefault() ?? throw new InvalidDataException($"Constant node '{node.Name}' has no value.");
        return a.Name switch
        {
            "value" => OnnxGraph.ToTensor(a.T, $"node '{node.Name}'"),
            "value_float" => tensor(a.F),
            "value_floats" => tensor(a.Floats.ToArray()),
            "value_int" => tensor(a.I),
            "value_ints" => tensor(a.Ints.ToArray()),
            _ => throw new NotSupportedException($"Constant node '{node.Name}' holds a '{a.Name}'; the importer reads tensors, floats and ints."),
        };
    }

    private static Tensor Clip(NodeProto node, Tensor?[] x, long opset)
    {
        var input = x[0]!;
        if (opset < 11)
            return input.clamp(Float(node, "min", float.NegativeInfinity), Float(node, "max", float.PositiveInfinity));
        var min = x.Length > 1 ? x[1] : null;
        var max = x.Length > 2 ? x[2] : null;
        return input.clamp(min is null ? float.NegativeInfinity : min.item<float>(), max is null ? float.PositiveInfinity : max.item<float>());
    }

    private static Tensor Pad(NodeProto node, Tensor?[] x, long opset)
    {
        var input = x[0]!;
        var rank = input.dim();
        var pads = opset < 11 ? Ints(node, "pads")! : Values(x[1]!);
        var value = opset < 11 ? Float(node, "value", 0f) : x.Length > 2 && x[2] is { } v && v.numel() > 0 ? v.to_type(ScalarType.Float32).item<float>() : 0f;
        var axes = x.Length > 3 && x[3] is { } a ? Values(a).Select(ax => Normalize(ax, rank)).ToArray() : Enumerable.Range(0, (int)rank).Select(i => (long)i).ToArray();
        var begin = new long[rank];
        var end = new long[rank];
        for (var i = 0; i < axes.Length; i++)
        {
            begin[axes[i]] = pads[i];
            end[axes[i]] = pads[axes.Length + i];
        }
        var mode = Text(node, "mode", "constant");
        var first = Array.FindIndex(begin.Zip(end).ToArray(), p => p.First != 0 || p.Second != 0);
        if (first < 0) return input.alias();
        // F.pad lists pairs from the last axis back to the first padded one.
        var list = new List<long>();
        for (var d = rank - 1; d >= first; d--)
        {
            list.Add(begin[d]);
            list.Add(end[d]);
        }
        return mode switch
        {
            "constant" => F.pad(input, list.ToArray(), PaddingModes.Constant, value),
            "reflect" => F.pad(input, list.ToArray(), PaddingModes.Reflect),
            "edge" => F.pad(input, list.ToArray(), PaddingModes.Replicate),
            _ => throw new NotSupportedException($"Pad node '{node.Name}' has mode '{mode}'; the importer runs constant, reflect and edge."),
        };
    }

    private static Tensor Squeeze(NodeProto node, Tensor x, long[]? axes)
    {
        if (axes is null || axes.Length == 0) return x.squeeze();
        var keep = x.shape.Where((_, i) => !axes.Select(a => Normalize(a, x.dim())).Contains(i)).ToArray();
        return x.reshape(keep);
    }

    private static Tensor Unsqueeze(Tensor x, long[] axes)
    {
        var rank = x.dim() + axes.Length;
        var sorted = axes.Select(a => Normalize(a, rank)).Order().ToArray();
        var y = x;
        foreach (var a in sorted) y = y.unsqueeze(a);
        return y;
    }

    private static Tensor ShapeOf(NodeProto node, Tensor x)
    {
        var rank = x.dim();
        var start = Math.Clamp(Normalize(Int(node, "start", 0), rank), 0, rank);
        var end = Math.Clamp(Normalize(Int(node, "end", rank), rank), 0, rank);
        return tensor(x.shape[(int)start..(int)Math.Max(start, end)], device: x.device);
    }

    private static Tensor Gather(Tensor x, Tensor indices, long axis)
    {
        axis = Normalize(axis, x.dim());
        var idx = indices.to_type(ScalarType.Int64);
        idx = where(idx < 0, idx + x.shape[axis], idx);
        var picked = x.index_select(axis, idx.flatten());
        long[] shape = [.. x.shape[..(int)axis], .. indices.shape, .. x.shape[(int)(axis + 1)..]];
        return picked.reshape(shape);
    }

    private static ScalarType DType(NodeProto node, long onnxType) => (TensorProto.Types.DataType)onnxType switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Float16 => ScalarType.Float32,
        TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Int8
            or TensorProto.Types.DataType.Uint8 => ScalarType.Int64,
        TensorProto.Types.DataType.Bool => ScalarType.Bool,
        var other => throw new NotSupportedException($"Cast node '{node.Name}' casts to {other}; the importer runs float, integer and bool tensors."),
    };

    private static Tensor ConstantOfShape(NodeProto node, Tensor shape)
    {
        var dims = Values(shape);
        if (Attribute(node, "value") is not { } a) return zeros(dims, device: shape.device);
        using var v = OnnxGraph.ToTensor(a.T, $"node '{node.Name}'");
        return v.reshape(1).to(shape.device).expand(dims).clone();
    }

    private static Tensor Slice(NodeProto node, Tensor?[] x, long opset)
    {
        var input = x[0]!;
        var rank = input.dim();
        long[] starts, ends, axes, steps;
        if (opset < 10)
        {
            starts = Ints(node, "starts")!;
            ends = Ints(node, "ends")!;
            axes = Ints(node, "axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        else
        {
            starts = Values(x[1]!);
            ends = Values(x[2]!);
            axes = x.Length > 3 && x[3] is { } a ? Values(a) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = x.Length > 4 && x[4] is { } s ? Values(s) : Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        var y = input;
        for (var i = 0; i < starts.Length; i++)
        {
            var axis = Normalize(axes[i], rank);
            var size = y.shape[axis];
            var step = steps[i];
            var start = starts[i] < 0 ? starts[i] + size : starts[i];
            var end = ends[i] < 0 ? ends[i] + size : ends[i];
            if (step > 0)
            {
                start = Math.Clamp(start, 0, size);
                end = Math.Clamp(end, 0, size);
                y = y.slice(axis, start, Math.Max(start, end), step);
            }
            else
            {
                start = Math.Clamp(start, 0, size - 1);
                end = Math.Clamp(end, -1, size - 1);
                var picked = new List<long>();
                for (var k = start; k > end; k += step) picked.Add(k);
                y = y.index_select(axis, tensor(picked.ToArray(), device: y.device));
            }
        }
        return y;
    }
}
