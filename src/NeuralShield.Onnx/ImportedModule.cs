using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>
/// A user's model as the library's attacks see it: inputs in the data's layout and the caller's value range go through
/// the declared scaling and layout into the model, batches are cut to a fixed batch size where the model has one, and the
/// answer comes back as logits [N, C] (the log of probabilities where the model ends in a softmax it keeps).
/// Every step is a TorchSharp operation, so gradients flow from the logits to the caller's inputs.
/// </summary>
internal sealed class ImportedModule : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly InputScaling _scaling;

    public ImportedModule(nn.Module<Tensor, Tensor> model, InputScaling scaling, InputLayout layout, long? fixedBatch) : base("Imported")
    {
        _model = model;
        _scaling = scaling;
        Layout = layout;
        FixedBatch = fixedBatch;
        register_module("model", model);
    }

    /// <summary>The user's model.</summary>
    public nn.Module<Tensor, Tensor> Model => _model;

    /// <summary>The batch size the model is run with (batches are cut into chunks of it), or null to run any batch whole.</summary>
    public long? FixedBatch { get; set; }

    /// <summary>The resolved layout (never <see cref="InputLayout.Auto"/>).</summary>
    public InputLayout Layout { get; }

    /// <summary>Whether the model's own output is probabilities, turned into logits by the log.</summary>
    public bool LogOfOutput { get; set; }

    public override Tensor forward(Tensor x)
    {
        var scaled = _scaling.IsIdentity ? x : _scaling.Apply(x);
        var input = InputLayouts.Apply(scaled, Layout);
        var n = input.shape[0];
        Tensor output;
        if (FixedBatch is { } b && b != n)
        {
            var parts = new List<Tensor>();
            for (long start = 0; start < n; start += b)
            {
                var count = Math.Min(b, n - start);
                var chunk = input.narrow(0, start, count);
                if (count < b) chunk = cat([chunk, zeros([b - count, .. chunk.shape[1..]], chunk.dtype, chunk.device)], 0);
                var answer = _model.forward(chunk);
                parts.Add(count < b ? answer.narrow(0, 0, count) : answer);
            }
            output = cat(parts, 0);
        }
        else
        {
            output = _model.forward(input);
        }
        output = output.reshape(n, -1);
        return LogOfOutput ? output.clamp_min(1e-30f).log() : output;
    }
}
