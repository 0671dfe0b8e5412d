namespace NeuralShield.Training;

/// <summary>
/// A model that keeps learning after deployment from a stream of batches sent by named sources: the points the guards
/// admit are buffered, and each full mini-batch of them is one incremental update through the training-step seam
/// (<see cref="ITrainingStep"/>, plain cross-entropy by default) with a <see cref="StepContext"/> the learner maintains
/// (epoch = 1 + updates / steps per epoch). Because the loss of an update is a mean over its points, buffering makes a
/// source's influence proportional to the points it gets admitted, not to the batches it sends. The learner owns its optimiser; it owns the module when asked to. Guards see every batch before it is
/// learned and may refuse points or undo the update (the parameters are restored from a snapshot).
/// </summary>
public sealed class OnlineLearner : IDisposable
{
    private readonly OnlineLearnerOptions _options;
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly optim.Optimizer _optimizer;
    private readonly StepContext _context;
    private readonly ITrainingStep _step;
    private readonly IOnlineGuard[] _guards;
    private readonly bool _ownsModule;
    private readonly Dictionary<string, long> _offeredBySource = new(StringComparer.Ordinal);
    private readonly List<(string Source, Tensor Inputs, Tensor Labels)> _buffer = new();
    private int _buffered;
    private long _sequence;
    private bool _disposed;

    /// <summary>Wraps <paramref name="module"/> (already trained or fresh) as an on-line learner.</summary>
    /// <param name="module">Maps inputs to logits; its parameters are updated in place.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="inputShape">The per-sample input shape.</param>
    /// <param name="options">Settings (validated and copied).</param>
    /// <param name="step">What an update does; plain cross-entropy when null.</param>
    /// <param name="guards">Checks run on every batch, in order.</param>
    /// <param name="bounds">The input box; default [0, 1].</param>
    /// <param name="ownsModule">Whether <see cref="Dispose"/> disposes the module.</param>
    public OnlineLearner(nn.Module<Tensor, Tensor> module, int classCount, long[] inputShape, OnlineLearnerOptions? options = null,
        ITrainingStep? step = null, IEnumerable<IOnlineGuard>? guards = null, InputBounds? bounds = null, bool ownsModule = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(inputShape);
        _options = (options ?? new OnlineLearnerOptions()).Validated();
        var parameters = module.parameters().ToList();
        if (parameters.Count == 0) throw new ArgumentException("The model has no parameters to train.", nameof(module));
        Classifier = new TorchClassifier(module, classCount, bounds, inputShape, ownsModule: false);
        _module = module;
        _ownsModule = ownsModule;
        _step = step ?? CrossEntropyStep.Default;
        _guards = (guards ?? []).ToArray();
        if (_guards.Any(g => g is null)) throw new ArgumentException("guards must not hold null.", nameof(guards));
        _optimizer = _options.Optimizer == OptimizerKind.Adam
            ? optim.Adam(parameters, lr: _options.LearningRate, weight_decay: _options.WeightDecay)
            : optim.SGD(parameters, _options.LearningRate, momentum: _options.Momentum, weight_decay: _options.WeightDecay);
        _context = new StepContext(module, _optimizer, int.MaxValue, _options.StepsPerEpoch, _options.BatchSize, _options.Seed) { Epoch = 1 };
    }

    /// <summary>A copy of the settings.</summary>
    public OnlineLearnerOptions Options => _options.Copy();

    /// <summary>The current model as a classifier (a view: it does not own the module and follows every update).</summary>
    public TorchClassifier Classifier { get; }

    /// <summary>The guards, in the order they run.</summary>
    public IReadOnlyList<IOnlineGuard> Guards => _guards;

    /// <summary>Updates made and kept so far.</summary>
    public long Updates => _context.Step;

    /// <summary>Batches offered so far.</summary>
    public long BatchesOffered => _sequence;

    /// <summary>Points offered so far, by source.</summary>
    public IReadOnlyDictionary<string, long> OfferedBySource => _offeredBySource;

    /// <summary>
    /// Offers a batch from <paramref name="source"/>: the guards admit points; admitted points join the learner's buffer,
    /// and every time the buffer holds <see cref="OnlineLearnerOptions.BatchSize"/> points (oldest first, from any
    /// sources) one update is made on them, which the guards that check updates may undo. The tensors are not modified
    /// or kept.
    /// </summary>
    /// <exception cref="ArgumentException">The inputs are not a finite batch inside the bounds of the learner's shape, or the labels do not match.</exception>
    /// <exception cref="InvalidOperationException">An update's loss was not finite.</exception>
    public OnlineUpdate Submit(string source, Tensor inputs, Tensor labels, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        InputChecks.Inputs(inputs, Classifier.Bounds, nameof(inputs));
        if (!inputs.shape.Skip(1).SequenceEqual(Classifier.InputShape!))
            throw new ArgumentException($"inputs must have shape [N, {string.Join(", ", Classifier.InputShape!)}]; got [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        Guard.Labels(labels, inputs.shape[0], Classifier.ClassCount, nameof(labels));
        cancellationToken.ThrowIfCancellationRequested();
        _context.CancellationToken = cancellationToken;

        using var scope = NewDisposeScope();
        var x = inputs.to(Classifier.Device).to_type(ScalarType.Float32);
        var y = labels.to(Classifier.Device).to_type(ScalarType.Int64);
        var batch = new IncomingBatch(source, x, y, _sequence++);
        var offered = (int)x.shape[0];
        _offeredBySource[source] = _offeredBySource.GetValueOrDefault(source) + offered;

        string? refusedBy = null;
        var admitted = ones(offered, ScalarType.Bool, device: x.device);
        foreach (var guard in _guards)
        {
            using var mask = guard.Admit(batch, Classifier);
            if (mask.dtype != ScalarType.Bool || !mask.shape.SequenceEqual([offered]))
                throw new InvalidOperationException($"Guard {guard.Name} returned an admission mask of shape [{string.Join(", ", mask.shape)}] and {mask.dtype}; expected [{offered}] bool.");
            var before = admitted.sum().item<long>();
            admitted = admitted.logical_and(mask.to(x.device));
            if (admitted.sum().item<long>() < before) refusedBy = guard.Name;
        }
        var count = (int)admitted.sum().item<long>();
        if (count > 0)
        {
            var idx = admitted.nonzero().squeeze(1);
            _buffer.Add((source, x.index_select(0, idx).DetachFromDisposeScope(), y.index_select(0, idx).DetachFromDisposeScope()));
            _buffered += count;
        }
        int applied = 0, refused = 0;
        double? loss = null;
        while (_buffered >= _options.BatchSize)
        {
            var (kept, l, by) = Update(TakeFromBuffer(_options.BatchSize), batch.Sequence);
            loss = l;
            if (kept) applied++;
            else { refused++; refusedBy = by; }
        }
        return new OnlineUpdate(source, batch.Sequence, offered, count, applied, refused, refusedBy, loss);
    }

    /// <summary>Points admitted but not yet learned (fewer than a batch).</summary>
    public int Buffered => _buffered;

    /// <summary>Makes one update on the buffered points, if any (fewer than a batch); returns whether an update was kept.</summary>
    public bool Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_buffered == 0) return false;
        using var scope = NewDisposeScope();
        return Update(TakeFromBuffer(_buffered), _sequence - 1).Kept;
    }

    /// <summary>The oldest <paramref name="n"/> buffered points as one batch (its tensors belong to the caller's dispose scope).</summary>
    private IncomingBatch TakeFromBuffer(int n)
    {
        var xs = new List<Tensor>();
        var ys = new List<Tensor>();
        var sources = new List<string>();
        var consumed = new List<Tensor>();
        var need = n;
        while (need > 0)
        {
            var (source, bx, by) = _buffer[0];
            var size = (int)bx.shape[0];
            var take = Math.Min(size, need);
            sources.Add(source);
            xs.Add(bx.narrow(0, 0, take));
            ys.Add(by.narrow(0, 0, take));
            if (take == size) _buffer.RemoveAt(0);
            else _buffer[0] = (source, bx.narrow(0, take, size - take).clone().DetachFromDisposeScope(), by.narrow(0, take, size - take).clone().DetachFromDisposeScope());
            consumed.Add(bx);
            consumed.Add(by);
            need -= take;
        }
        _buffered -= n;
        var batch = new IncomingBatch(string.Join(",", sources.Distinct()), cat(xs, 0), cat(ys, 0), _sequence - 1);
        foreach (var t in consumed) t.Dispose();
        return batch;
    }

    private (bool Kept, double Loss, string? RefusedBy) Update(IncomingBatch batch, long sequence)
    {
        var checkers = _guards.Where(g => g.ChecksUpdates).ToArray();
        var snapshot = checkers.Length > 0 ? ModuleState.Snapshot(_module) : null;
        try
        {
            _context.Epoch = (int)Math.Min(int.MaxValue, 1 + _context.Step / _options.StepsPerEpoch);
            _context.StepInEpoch = (int)(_context.Step % _options.StepsPerEpoch);
            _module.train();
            double loss;
            try
            {
                loss = _step.Run(batch.Inputs, batch.Labels, _context);
            }
            finally
            {
                _module.eval();
            }
            if (!double.IsFinite(loss))
            {
                if (snapshot is not null) ModuleState.Restore(_module, snapshot);
                throw new InvalidOperationException($"The on-line update after batch {sequence} (points from {batch.Source}) gave loss {loss}" +
                    (snapshot is null ? "; the weights are no longer usable." : "; it was undone."));
            }
            foreach (var guard in checkers)
            {
                if (guard.Approve(batch, Classifier)) continue;
                ModuleState.Restore(_module, snapshot!);
                return (false, loss, guard.Name);
            }
            _context.Step++;
            return (true, loss, null);
        }
        finally
        {
            ModuleState.Dispose(snapshot);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (_, bx, by) in _buffer)
        {
            bx.Dispose();
            by.Dispose();
        }
        _buffer.Clear();
        _optimizer.Dispose();
        Classifier.Dispose();
        if (_ownsModule) _module.Dispose();
    }
}
