using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>
/// A user's model file as a white-box classifier: an ONNX graph turned into a differentiable TorchSharp module, or a
/// TorchScript file (<c>torch.jit.save</c>) run by libtorch. Both take the data's samples (channels first, values in
/// <see cref="OnnxClassifierOptions.Bounds"/>) and go through the declared <see cref="OnnxClassifierOptions.Scaling"/> and
/// <see cref="OnnxClassifierOptions.Layout"/>; both answer logits with gradients with respect to the inputs, so every
/// white-box attack runs on them.
/// </summary>
public static class ModelImport
{
    /// <summary>Imports the ONNX model at <paramref name="path"/> as a differentiable module.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="sampleShape">The shape of one data sample (without the batch dimension), e.g. [1, 28, 28] or [784].</param>
    /// <param name="options">Bounds, scaling, layout, output kind, class count, input and output names. Null: the defaults.</param>
    /// <returns>A classifier that owns its module (dispose it).</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    /// <exception cref="NotSupportedException">The graph has an operator the importer does not run; the message names it and its node.</exception>
    /// <exception cref="ArgumentException">
    /// The data's samples fit the model's input in no layout (or not in the given one), a name does not exist, or the
    /// class count differs from the model's output.
    /// </exception>
    public static TorchClassifier Onnx(string path, IReadOnlyList<long> sampleShape, OnnxClassifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var o = Check(sampleShape, options);
        var graph = OnnxGraph.Read(path, o.InputName, o.OutputName);
        var layout = InputLayouts.Resolve(o.Layout, sampleShape, graph.InputShape.Length > 0 ? graph.InputShape[1..] : [], graph.Source, graph.InputName);
        var inner = new OnnxGraphModule(graph);
        var fixedBatch = graph.InputShape.Length > 0 && graph.InputShape[0] > 0 ? graph.InputShape[0] : (long?)null;
        var module = new ImportedModule(inner, o.Scaling, layout, fixedBatch);
        if (fixedBatch is not null) RunWholeBatchesWhereTheGraphAllows(module, sampleShape, o.Bounds);
        return Wrap(module, sampleShape, o, graph.Source, inner.StripsSoftmax);
    }

    /// <summary>Loads the TorchScript file at <paramref name="path"/> (<c>torch.jit.save</c> of a traced or scripted module).</summary>
    /// <param name="path">The TorchScript file.</param>
    /// <param name="sampleShape">The shape of one data sample (without the batch dimension).</param>
    /// <param name="options">Bounds, scaling, layout (<see cref="InputLayout.Auto"/> is the data's own), output kind, class count; names and threads are not used.</param>
    /// <returns>A classifier that owns its module (dispose it).</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">libtorch cannot load the file as TorchScript (truncated, or a state_dict).</exception>
    /// <exception cref="ArgumentException">The module refuses one sample of the data, or its output width differs from the class count.</exception>
    public static TorchClassifier TorchScript(string path, IReadOnlyList<long> sampleShape, OnnxClassifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var o = Check(sampleShape, options);
        if (!File.Exists(path)) throw new FileNotFoundException($"The TorchScript file '{path}' does not exist.", path);
        nn.Module<Tensor, Tensor> script;
        try
        {
            script = new ScriptedModule(jit.load<Tensor, Tensor>(path));
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"'{path}' is not a TorchScript file libtorch can load (save one with torch.jit.save): {e.Message.Split('\n')[0]}", e);
        }
        var layout = o.Layout == InputLayout.Auto ? InputLayout.Nchw : o.Layout;
        return Wrap(new ImportedModule(script, o.Scaling, layout, null), sampleShape, o, $"'{path}'", strippedSoftmax: false);
    }

    /// <summary>
    /// A declared fixed batch size is often only the size the exporter traced with (a static-shape export of a graph that
    /// never mixes samples). Two batches' worth of random samples are run both ways; when the whole batch gives the same
    /// answers as the chunks, batches run whole, else (an error, or other answers: a Reshape that fixes the batch, as in
    /// mnist-8) in chunks.
    /// </summary>
    private static void RunWholeBatchesWhereTheGraphAllows(ImportedModule module, IReadOnlyList<long> sampleShape, InputBounds bounds)
    {
        var chunk = module.FixedBatch!.Value;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        module.eval();
        using var generator = new Generator(0);
        var probe = rand([2 * chunk + 1, .. sampleShape], generator: generator) * bounds.Range + bounds.Lower;
        var chunked = module.forward(probe);
        module.FixedBatch = null;
        try
        {
            var whole = module.forward(probe);
            if (!whole.shape.SequenceEqual(chunked.shape) || !whole.allclose(chunked, rtol: 1e-4, atol: 1e-5)) module.FixedBatch = chunk;
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException or InvalidDataException)
        {
            module.FixedBatch = chunk;
        }
    }

    private static OnnxClassifierOptions Check(IReadOnlyList<long> sampleShape, OnnxClassifierOptions? options)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count == 0 || sampleShape.Any(d => d <= 0))
            throw new ArgumentException("sampleShape must list the positive dimensions of one sample.", nameof(sampleShape));
        return (options ?? new OnnxClassifierOptions()).Validated();
    }

    /// <summary>Probes one zero sample for the output width and kind, then wraps the module as a classifier that owns it.</summary>
    private static TorchClassifier Wrap(ImportedModule module, IReadOnlyList<long> sampleShape, OnnxClassifierOptions o, string source, bool strippedSoftmax)
    {
        try
        {
            module.eval();
            long width;
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                Tensor answer;
                try
                {
                    answer = module.forward(o.Bounds.Clamp(zeros([1, .. sampleShape])));
                }
                catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
                {
                    throw new ArgumentException(
                        $"The model {source} refuses one sample of shape [{string.Join(", ", sampleShape)}] in layout {module.Layout}: {e.Message.Split('\n')[0]}", nameof(sampleShape), e);
                }
                width = answer.shape[1];
                module.LogOfOutput = o.Output switch
                {
                    OnnxOutput.Probabilities => !strippedSoftmax,
                    OnnxOutput.Logits => false,
                    _ => !strippedSoftmax && answer.min().item<float>() >= 0f && Math.Abs(answer.sum().item<float>() - 1f) <= 1e-3f,
                };
            }
            if (o.ClassCount is { } declared && declared != width)
                throw new ArgumentException($"ClassCount is {declared} but the model {source} outputs {width} values per sample.", "options");
            if (width < 2) throw new ArgumentException($"The model {source} outputs {width} value(s) per sample; a classifier needs at least 2 classes.", "options");
            return new TorchClassifier(module, checked((int)width), o.Bounds, sampleShape.ToArray(), ownsModule: true);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }
}
