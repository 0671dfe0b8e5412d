namespace NeuralShield.Models;

/// <summary>
/// A white-box classifier over a TorchSharp module that maps inputs [N, ...] to logits [N, C].
/// The module is put in evaluation mode. Ownership is explicit: with <c>ownsModule: true</c>,
/// disposing the classifier disposes the module; otherwise the caller keeps it.
/// </summary>
public sealed class TorchClassifier : IDifferentiableClassifier, ITorchModel, IDisposable
{
    private readonly bool _ownsModule;
    private readonly long[]? _inputShape;
    private long _queries;
    private bool _disposed;

    /// <summary>Wraps <paramref name="module"/>.</summary>
    /// <param name="module">Maps [N, ...] to logits [N, <paramref name="classCount"/>].</param>
    /// <param name="classCount">Number of classes (at least 2).</param>
    /// <param name="bounds">The input box; defaults to [0, 1]. <c>default(InputBounds)</c> is refused.</param>
    /// <param name="inputShape">The shape of one sample (without the batch dimension), checked on every call when given.</param>
    /// <param name="ownsModule">Whether <see cref="Dispose"/> disposes the module.</param>
    /// <exception cref="ArgumentException"><paramref name="bounds"/> is <c>default(InputBounds)</c>, or <paramref name="inputShape"/> is not a list of positive sizes.</exception>
    public TorchClassifier(nn.Module<Tensor, Tensor> module, int classCount, InputBounds? bounds = null, long[]? inputShape = null, bool ownsModule = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classifier needs at least 2 classes.");
        if (bounds is { } given) InputChecks.Bounds(given, nameof(bounds));
        if (inputShape is not null && (inputShape.Length == 0 || inputShape.Any(d => d <= 0)))
            throw new ArgumentException("inputShape must list positive per-sample dimensions.", nameof(inputShape));
        module.eval(); // a classifier answers in evaluation mode (and the width probe below must not update batch statistics)
        if (OutputWidth(module, inputShape) is { } width && width != classCount)
            throw new ArgumentException($"classCount is {classCount} but the module outputs {width} logits per sample.", nameof(classCount));
        Module = module;
        ClassCount = classCount;
        Bounds = bounds ?? InputBounds.Unit;
        _inputShape = inputShape?.ToArray();
        _ownsModule = ownsModule;
        var first = module.parameters().FirstOrDefault();
        Device = first?.device ?? CPU;
    }

    /// <summary>The wrapped module.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <inheritdoc />
    public int ClassCount { get; }

    /// <inheritdoc />
    public InputBounds Bounds { get; }

    /// <inheritdoc />
    public Device Device { get; }

    /// <summary>The per-sample input shape, when one was given.</summary>
    public IReadOnlyList<long>? InputShape => _inputShape;

    /// <inheritdoc />
    public long QueryCount => Interlocked.Read(ref _queries);

    /// <inheritdoc />
    /// <remarks>
    /// Inputs of any floating dtype (float16, bfloat16, float32, float64) are converted to float32 on
    /// <see cref="Device"/>. Values are not checked here (attacks call this in their inner loops): a NaN input
    /// gives NaN probabilities, which <see cref="ClassifierExtensions.Predict"/> reports as prediction −1.
    /// </remarks>
    public Tensor PredictProbabilities(Tensor inputs)
    {
        using var _ = no_grad();
        using var logits = Logits(inputs);
        return logits.softmax(1);
    }

    /// <inheritdoc />
    /// <remarks>Inputs of any floating dtype are converted to float32 on <see cref="Device"/>; values are not checked.</remarks>
    public Tensor Logits(Tensor inputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.Batch(inputs, nameof(inputs));
        if (_inputShape is not null && !inputs.shape.Skip(1).SequenceEqual(_inputShape))
            throw new ArgumentException($"inputs must have shape [N, {string.Join(", ", _inputShape)}]; got [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        Interlocked.Add(ref _queries, inputs.shape[0]);
        using var scope = NewDisposeScope();
        var x = inputs.device == Device ? inputs : inputs.to(Device);
        if (x.dtype != ScalarType.Float32) x = x.to_type(ScalarType.Float32);
        Tensor logits;
        try
        {
            logits = Module.forward(x);
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            throw new ArgumentException($"The module rejected inputs of shape [{string.Join(", ", inputs.shape)}]: {e.Message.Split('\n')[0]}", nameof(inputs), e);
        }
        if (logits.dim() != 2 || logits.shape[0] != inputs.shape[0] || logits.shape[1] != ClassCount)
            throw new InvalidOperationException($"The module returned shape [{string.Join(", ", logits.shape)}]; expected [{inputs.shape[0]}, {ClassCount}] logits.");
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The number of logits <paramref name="module"/> gives per sample, where it can be told before a query: from a
    /// forward pass of one zero sample (in evaluation mode) when <paramref name="inputShape"/> is known, else from the output width of its
    /// last layer with parameters when that is a linear layer; null otherwise.
    /// </summary>
    private static long? OutputWidth(nn.Module<Tensor, Tensor> module, long[]? inputShape)
    {
        if (inputShape is not null)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var device = module.parameters().FirstOrDefault()?.device ?? CPU;
            try
            {
                var logits = module.forward(zeros([1, .. inputShape], device: device));
                return logits.dim() == 2 ? logits.shape[1] : null;
            }
            catch (System.Runtime.InteropServices.ExternalException e)
            {
                throw new ArgumentException($"The module rejected one sample of inputShape [{string.Join(", ", inputShape)}]: {e.Message.Split('\n')[0]}", nameof(inputShape), e);
            }
        }
        var last = module.modules().LastOrDefault(m => m.parameters(recurse: false).Any());
        return last is TorchSharp.Modules.Linear linear ? linear.out_features : null;
    }

    /// <summary>Resets <see cref="QueryCount"/> to zero.</summary>
    public void ResetQueryCount() => Interlocked.Exchange(ref _queries, 0);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsModule) Module.Dispose();
    }
}
