using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>
/// An ONNX graph run node by node with TorchSharp operations: a differentiable module from the model's input to its output
/// (or, with <see cref="StripsSoftmax"/>, to the input of its final Softmax: the logits). Float initializers are
/// parameters (frozen), the others buffers, so the module moves between devices like any other.
/// </summary>
internal sealed class OnnxGraphModule : nn.Module<Tensor, Tensor>
{
    private readonly NodeProto[] _nodes;
    private readonly long _opset;
    private readonly string _input;
    private readonly string _output;
    private readonly Dictionary<string, string> _stored = new(StringComparer.Ordinal);

    public OnnxGraphModule(OnnxGraph graph) : base("OnnxGraph")
    {
        _opset = graph.Opset;
        _input = graph.InputName;
        var nodes = graph.Nodes.ToList();
        var output = graph.OutputName;
        // A graph whose output is a Softmax over the class axis gives probabilities; its input is the logits.
        var last = nodes.FindLastIndex(n => n.Output.Contains(output));
        if (last >= 0 && nodes[last].OpType == "Softmax" && nodes.Skip(last + 1).All(n => !n.Input.Contains(output)))
        {
            StripsSoftmax = true;
            output = nodes[last].Input[0];
            nodes.RemoveAt(last);
        }
        _nodes = nodes.ToArray();
        _output = output;
        var index = 0;
        foreach (var (name, value) in graph.Initializers)
        {
            var key = $"init{index++}";
            _stored[name] = key;
            if (value.is_floating_point()) register_parameter(key, new TorchSharp.Modules.Parameter(value, requires_grad: false));
            else register_buffer(key, value);
        }
    }

    /// <summary>Whether the graph's final Softmax was left out, so that the module outputs logits.</summary>
    public bool StripsSoftmax { get; }

    public override Tensor forward(Tensor input)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [_input] = input };
        for (var i = 0; i < _nodes.Length; i++)
        {
            var node = _nodes[i];
            var inputs = new Tensor?[node.Input.Count];
            for (var k = 0; k < inputs.Length; k++)
                inputs[k] = node.Input[k].Length == 0 ? null : Lookup(values, node.Input[k], node);
            Tensor[] outputs;
            try
            {
                outputs = OnnxOperators.Run(node, inputs, _opset, input.device);
            }
            catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException)
            {
                throw new InvalidOperationException($"The ONNX node '{node.Name}' ({node.OpType}) failed: {e.Message.Split('\n')[0]}", e);
            }
            for (var k = 0; k < outputs.Length && k < node.Output.Count; k++)
                if (node.Output[k].Length > 0) values[node.Output[k]] = outputs[k];
        }
        return values.TryGetValue(_output, out var result) ? result
            : throw new InvalidDataException($"The ONNX graph never computes its output '{_output}'.");
    }

    private Tensor Lookup(Dictionary<string, Tensor> values, string name, NodeProto node)
    {
        if (values.TryGetValue(name, out var value)) return value;
        if (_stored.TryGetValue(name, out var key))
            return get_parameter(key) ?? get_buffer(key) ?? throw new InvalidOperationException($"The initializer '{name}' is missing.");
        throw new InvalidDataException($"The ONNX node '{node.Name}' ({node.OpType}) reads '{name}', which no earlier node computes.");
    }
}
