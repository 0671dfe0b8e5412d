using NeuralShield.Models;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>
/// A black-box classifier over an ONNX model a user already has (an export from PyTorch, TensorFlow, CNTK, the ONNX
/// model zoo), run by ONNX Runtime's CPU execution provider. The model's input and output names and shapes are read
/// from the file; a model with a fixed batch size (the zoo's <c>mnist-8</c> takes batch 1) gets batches of exactly that
/// size, split and concatenated transparently, and a dynamic batch dimension is run in chunks of
/// <see cref="OnnxClassifierOptions.MaxBatchSize"/>. Callers pass values inside <see cref="Bounds"/>; the declared
/// <see cref="OnnxClassifierOptions.Scaling"/> turns them into what the model expects. Logits are detected (or declared)
/// and turned into probabilities. Every answered sample is counted in <see cref="QueryCount"/>.
/// </summary>
/// <remarks>
/// Black-box attacks (<see cref="IClassifier"/>) run on it; white-box attacks need gradients an ONNX Runtime session
/// does not give: <see cref="ModelImport.Onnx"/> imports the same file as a differentiable module. Calls may come from several threads. Dispose the classifier to release the session.
/// </remarks>
public sealed class OnnxClassifier : IClassifier, IDisposable
{
    private readonly OnnxClassifierOptions _options;
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly Microsoft.ML.OnnxRuntime.RunOptions _runOptions;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _inputShape;
    private readonly long[] _sampleShape;
    private readonly string _source;
    private long _queries;
    private int _sawLogits;
    private volatile bool _disposed;

    /// <summary>Loads the ONNX model at <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">The <c>.onnx</c> file.</param>
    /// <param name="options">Bounds, scaling, output kind, names, threads; validated and copied. Null: the defaults.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model ONNX Runtime can load (the message names the path).</exception>
    /// <exception cref="ArgumentException">
    /// The model has several inputs or outputs and no name was given, a given name does not exist, an input or output is
    /// not a float32 tensor with a batch dimension, the scaling's channel count differs from the model's, or the declared
    /// class count differs from the model's output.
    /// </exception>
    public OnnxClassifier(string modelPath, OnnxClassifierOptions? options = null)
        : this(Load(modelPath, options), $"'{modelPath}'", modelPath)
    {
    }

    /// <summary>Loads an ONNX model held in memory (the bytes of an <c>.onnx</c> file).</summary>
    /// <param name="model">The serialised model.</param>
    /// <param name="options">As for the constructor that takes a path.</param>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model ONNX Runtime can load.</exception>
    /// <exception cref="ArgumentException">As for the constructor that takes a path.</exception>
    public OnnxClassifier(byte[] model, OnnxClassifierOptions? options = null)
        : this(Load(model, options), "the in-memory model", null)
    {
    }

    private OnnxClassifier((InferenceSession Session, SessionOptions SessionOptions, OnnxClassifierOptions Options) loaded, string source, string? path)
    {
        (_session, _sessionOptions, _options) = loaded;
        _source = source;
        ModelPath = path;
        try
        {
            _runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
            (InputName, var input) = Pick(_session.InputMetadata, _options.InputName, "input", nameof(OnnxClassifierOptions.InputName));
            (OutputName, var output) = Pick(_session.OutputMetadata, _options.OutputName, "output", nameof(OnnxClassifierOptions.OutputName));
            _inputShape = CheckTensor(input, InputName, "input");
            var outputShape = CheckTensor(output, OutputName, "output");
            _sampleShape = _inputShape[1..];
            FixedBatchSize = _inputShape[0] > 0 ? checked((int)_inputShape[0]) : null;
            if (_options.Scaling.Channels is { } channels && _options.Layout is InputLayout.Auto or InputLayout.Nchw && _sampleShape.Length > 0 && _sampleShape[0] > 0 && _sampleShape[0] != channels)
                throw new ArgumentException(
                    $"The scaling is for {channels} channel(s) but the model {_source} takes {_sampleShape[0]} (input '{InputName}' {Format(_inputShape)}).",
                    "options");
            ClassCount = ResolveClassCount(outputShape);
            _inputNames = [InputName];
            _outputNames = [OutputName];
        }
        catch
        {
            _runOptions?.Dispose();
            _session.Dispose();
            _sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>The model file, or null for a model loaded from bytes.</summary>
    public string? ModelPath { get; }

    /// <summary>The name of the model input fed.</summary>
    public string InputName { get; }

    /// <summary>The name of the model output read.</summary>
    public string OutputName { get; }

    /// <summary>The model's declared input shape, batch dimension first; −1 marks a dynamic dimension.</summary>
    public IReadOnlyList<long> ModelInputShape => _inputShape;

    /// <summary>The shape of one sample (the model input without its batch dimension); −1 marks a dynamic dimension.</summary>
    public IReadOnlyList<long> SampleShape => _sampleShape;

    /// <summary>The batch size the model requires, or null when its batch dimension is dynamic.</summary>
    public int? FixedBatchSize { get; }

    /// <summary>
    /// What the model outputs as far as known: the declared kind, or with <see cref="OnnxOutput.Detect"/>,
    /// <see cref="OnnxOutput.Logits"/> once an answer has shown logits and <see cref="OnnxOutput.Detect"/> before.
    /// </summary>
    public OnnxOutput Output => _options.Output != OnnxOutput.Detect ? _options.Output
        : Volatile.Read(ref _sawLogits) == 1 ? OnnxOutput.Logits : OnnxOutput.Detect;

    /// <summary>A copy of the validated settings.</summary>
    public OnnxClassifierOptions Options => _options.Copy();

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public InputBounds Bounds => _options.Bounds;

    /// <inheritdoc />
    /// <remarks>Always the CPU: inputs on another device are copied to it, and answers come back on it.</remarks>
    public Device Device => CPU;

    /// <inheritdoc />
    public long QueryCount => Interlocked.Read(ref _queries);

    /// <summary>Resets <see cref="QueryCount"/> to zero.</summary>
    public void ResetQueryCount() => Interlocked.Exchange(ref _queries, 0);

    /// <inheritdoc />
    /// <remarks>
    /// Inputs of any floating dtype are converted to float32 on the CPU. They must be finite and inside
    /// <see cref="Bounds"/> (tolerance 1e-4): the scaling is defined for that box.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// <paramref name="inputs"/> is not a floating batch, holds NaN or ±Inf, lies outside the bounds, or its per-sample
    /// shape differs from the model's (the message gives both shapes).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The classifier has been disposed.</exception>
    /// <exception cref="InvalidOperationException">ONNX Runtime failed, or the model answered with an unexpected shape.</exception>
    public Tensor PredictProbabilities(Tensor inputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InputChecks.Inputs(inputs, _options.Bounds, nameof(inputs));
        CheckShape(inputs);
        Interlocked.Add(ref _queries, inputs.shape[0]);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = inputs.device.type == DeviceType.CPU ? inputs : inputs.cpu();
        if (x.dtype != ScalarType.Float32) x = x.to_type(ScalarType.Float32);
        if (!_options.Scaling.IsIdentity) x = _options.Scaling.Apply(x);
        if (_options.Layout != InputLayout.Auto) x = InputLayouts.Apply(x, _options.Layout);
        var answers = Run(x.contiguous());
        return ToProbabilities(answers).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the ONNX Runtime session. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _runOptions.Dispose();
        _session.Dispose();
        _sessionOptions.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"ONNX model {_source}: input '{InputName}' {Format(_inputShape)}, output '{OutputName}', {ClassCount} classes, bounds {Bounds}, scaling {_options.Scaling}";

    private Tensor Run(Tensor x)
    {
        var n = x.shape[0];
        var perSample = x.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var classes = ClassCount;
        var answers = new float[checked(n * classes)];
        ReadOnlySpan<float> source = MemoryMarshal.Cast<byte, float>(x.bytes);
        var chunk = (long?)FixedBatchSize ?? _options.MaxBatchSize;
        var shape = x.shape.ToArray();
        for (long start = 0; start < n; start += chunk)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var count = Math.Min(chunk, n - start);
            var batch = FixedBatchSize ?? count;
            shape[0] = batch;
            using var input = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape);
            var destination = input.GetTensorMutableDataAsSpan<float>();
            source.Slice(checked((int)(start * perSample)), checked((int)(count * perSample))).CopyTo(destination);
            // A fixed batch size larger than what is left: pad with zeros, whose answers are dropped.
            if (batch > count) destination[checked((int)(count * perSample))..].Clear();
            IDisposableReadOnlyCollection<OrtValue> outputs;
            try
            {
                outputs = _session.Run(_runOptions, _inputNames, [input], _outputNames);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidOperationException($"ONNX Runtime failed to run {_source} on input '{InputName}' of shape {Format(shape)}: {e.Message}", e);
            }
            using (outputs)
            {
                var output = outputs[0];
                if (!output.IsTensor) throw new InvalidOperationException($"The model {_source} answered output '{OutputName}' with a value that is not a tensor.");
                var answerShape = output.GetTensorTypeAndShape().Shape;
                var perAnswer = answerShape.Skip(1).Aggregate(1L, (a, b) => a * b);
                if (answerShape.Length < 2 || answerShape[0] != batch || perAnswer != classes)
                    throw new InvalidOperationException(
                        $"The model {_source} answered output '{OutputName}' with shape {Format(answerShape)} for a batch of {batch}; expected [{batch}, {classes}].");
                output.GetTensorDataAsSpan<float>()[..checked((int)(count * classes))].CopyTo(answers.AsSpan(checked((int)(start * classes))));
            }
        }
        return tensor(answers, [n, classes]);
    }

    private Tensor ToProbabilities(Tensor answers)
    {
        switch (_options.Output)
        {
            case OnnxOutput.Probabilities:
                return answers;
            case OnnxOutput.Logits:
                return answers.softmax(1);
        }
        if (Volatile.Read(ref _sawLogits) == 1 || LooksLikeLogits(answers))
        {
            Volatile.Write(ref _sawLogits, 1);
            return answers.softmax(1);
        }
        return answers;
    }

    /// <summary>A negative value, or a row whose sum is off 1 by more than 1e-3 (NaN answers are left as they are).</summary>
    private static bool LooksLikeLogits(Tensor answers)
    {
        using var min = answers.min();
        if (min.item<float>() < 0f) return true;
        using var sums = answers.sum(1);
        using var deviation = (sums - 1f).abs_().max();
        return deviation.item<float>() > 1e-3f;
    }

    private void CheckShape(Tensor inputs)
    {
        long[] given = _options.Layout == InputLayout.Auto ? inputs.shape : [inputs.shape[0], .. InputLayouts.Sample(inputs.shape[1..], _options.Layout)];
        var matches = given.Length - 1 == _sampleShape.Length;
        for (var i = 0; matches && i < _sampleShape.Length; i++)
            matches = _sampleShape[i] <= 0 || _sampleShape[i] == given[i + 1];
        if (matches && _options.Scaling.Channels is { } channels && inputs.shape[1] != channels)
            throw new ArgumentException(
                $"inputs of shape {Format(inputs.shape)} have {inputs.shape[1]} channel(s) (dimension 1) but the scaling is for {channels}.", nameof(inputs));
        if (matches) return;
        throw new ArgumentException(
            $"inputs of shape {Format(given)} do not match the model: {_source} takes samples of shape {Format(_sampleShape)} " +
            $"(input '{InputName}' {Format(_inputShape)}, −1 dynamic), so inputs must be [N, {string.Join(", ", _sampleShape)}]; " +
            $"inputs have samples of shape {Format(given[1..])}.",
            nameof(inputs));
    }

    private int ResolveClassCount(long[] outputShape)
    {
        var classDims = outputShape[1..];
        int? modelClasses = classDims.All(d => d > 0) ? checked((int)classDims.Aggregate(1L, (a, b) => a * b)) : null;
        if (_options.ClassCount is { } declared)
        {
            if (modelClasses is { } m && m != declared)
                throw new ArgumentException(
                    $"ClassCount is {declared} but the model {_source} outputs {m} classes (output '{OutputName}' {Format(outputShape)}).", "options");
            return declared;
        }
        if (modelClasses is not { } found)
            throw new ArgumentException(
                $"The model {_source} does not declare the size of its class dimension (output '{OutputName}' {Format(outputShape)}); set ClassCount.", "options");
        if (found < 2)
            throw new ArgumentException($"The model {_source} outputs {found} value(s) per sample (output '{OutputName}' {Format(outputShape)}); a classifier needs at least 2 classes.", "options");
        return found;
    }

    private (string Name, NodeMetadata Metadata) Pick(IReadOnlyDictionary<string, NodeMetadata> nodes, string? requested, string kind, string option)
    {
        var names = string.Join(", ", nodes.Keys.Select(k => $"'{k}'"));
        if (requested is not null)
        {
            if (nodes.TryGetValue(requested, out var named)) return (requested, named);
            throw new ArgumentException($"{option} is '{requested}' but the model {_source} has no such {kind}; its {kind}s are {names}.", "options");
        }
        if (nodes.Count == 1)
        {
            var only = nodes.First();
            return (only.Key, only.Value);
        }
        if (nodes.Count == 0) throw new ArgumentException($"The model {_source} has no {kind}.", "options");
        throw new ArgumentException($"The model {_source} has {nodes.Count} {kind}s ({names}); set {option} to the one to use.", "options");
    }

    private long[] CheckTensor(NodeMetadata metadata, string name, string kind)
    {
        if (!metadata.IsTensor || metadata.ElementDataType != TensorElementType.Float)
            throw new ArgumentException(
                $"The {kind} '{name}' of {_source} is a {(metadata.IsTensor ? metadata.ElementDataType + " tensor" : metadata.OnnxValueType.ToString())}; only float32 tensors are supported.", "options");
        var dims = metadata.Dimensions.Select(d => d > 0 ? (long)d : -1L).ToArray();
        if (dims.Length < 2)
            throw new ArgumentException(
                $"The {kind} '{name}' of {_source} has shape {Format(dims)}; a batch dimension followed by the per-sample dimensions is needed.", "options");
        return dims;
    }

    private static (InferenceSession, SessionOptions, OnnxClassifierOptions) Load(string modelPath, OnnxClassifierOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        var validated = (options ?? new OnnxClassifierOptions()).Validated();
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"The ONNX model file '{modelPath}' does not exist.", modelPath);
        return Open(so => new InferenceSession(modelPath, so), $"'{modelPath}'", validated);
    }

    private static (InferenceSession, SessionOptions, OnnxClassifierOptions) Load(byte[] model, OnnxClassifierOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        var validated = (options ?? new OnnxClassifierOptions()).Validated();
        return Open(so => new InferenceSession(model, so), "the in-memory model", validated);
    }

    private static (InferenceSession, SessionOptions, OnnxClassifierOptions) Open(Func<SessionOptions, InferenceSession> create, string source, OnnxClassifierOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // Failures reach the caller as exceptions carrying ONNX Runtime's message; its own log stays quiet.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        try
        {
            sessionOptions.AppendExecutionProvider_CPU(useArena: 1);
            return (create(sessionOptions), sessionOptions, options);
        }
        catch (OnnxRuntimeException e)
        {
            sessionOptions.Dispose();
            throw new InvalidDataException($"{source} is not an ONNX model ONNX Runtime can load: {e.Message}", e);
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    private static string Format(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
