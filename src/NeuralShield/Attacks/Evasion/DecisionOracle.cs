namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// The label-only view a decision-based attack has of a model, with its query budget: whether points are adversarial
/// for their samples (the predicted class differs from the sample's label), each point counted against its sample's
/// budget. Shared by <see cref="HopSkipJump"/> and <see cref="BoundaryAttack"/>, with their random start and binary searches.
/// </summary>
internal sealed class DecisionOracle : IDisposable
{
    private const int Batch = 4096;
    private readonly IClassifier _model;
    private readonly Tensor _labels;
    private readonly long _budget;
    private Tensor _queries;

    public DecisionOracle(IClassifier model, Tensor labels, long budget)
    {
        _model = model;
        _labels = labels;
        _budget = budget;
        _queries = zeros(labels.shape[0], dtype: ScalarType.Int64, device: labels.device).DetachFromDisposeScope();
    }

    /// <summary>The queries each sample has left [N] (int64, never negative when callers ask only within it).</summary>
    public Tensor Left => _budget - _queries;

    /// <summary>The queries each sample has used [N] (a fresh tensor).</summary>
    public Tensor Used => _queries.clone();

    /// <summary>Per point [M]: adversarial for its sample <paramref name="owners"/> [M]; one query each.</summary>
    public Tensor Ask(Tensor points, Tensor owners)
    {
        if (owners.numel() == 0) return zeros(0, dtype: ScalarType.Bool, device: _labels.device);
        var predicted = _model.Predict(points, Batch).to(_labels.device);
        var counted = _queries.index_add(0, owners, ones_like(owners), 1).DetachFromDisposeScope();
        _queries.Dispose();
        _queries = counted;
        return predicted.ne(_labels.index_select(0, owners));
    }

    /// <summary>
    /// The start of a decision-based attack: the input where it is <paramref name="already"/> adversarial, else the first
    /// of up to <paramref name="tries"/> uniform random points of the box that is, within each sample's budget. Returns the
    /// points and whether one was found [N].
    /// </summary>
    public static (Tensor Points, Tensor Found) RandomStart(DecisionOracle oracle, Tensor inputs, Tensor already, int tries, Generator generator,
        CancellationToken cancellationToken)
    {
        var bounds = oracle._model.Bounds;
        var points = inputs.clone();
        var found = already.clone();
        for (var i = 0; i < tries; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var pending = found.logical_not().logical_and(oracle.Left.gt(0));
            if (!pending.any().item<bool>()) break;
            var at = pending.nonzero().squeeze(1);
            var shape = new long[] { at.shape[0] }.Concat(inputs.shape.Skip(1)).ToArray();
            var noise = (rand(shape, generator: generator) * bounds.Range + bounds.Lower).to(inputs.device).to_type(inputs.dtype);
            var ok = oracle.Ask(noise, at);
            var hit = at.masked_select(ok);
            points.index_copy_(0, hit, noise.index_select(0, ok.nonzero().squeeze(1)));
            found.index_fill_(0, hit, true);
        }
        return (points, found);
    }

    /// <summary>
    /// The binary search on the blend (1 − α)·x + α·p between inputs <paramref name="x"/> and adversarials <paramref name="p"/>
    /// [m, ...] of samples <paramref name="owners"/> down to a gap of <paramref name="tolerance"/> in α (or the budget): the
    /// adversarial end.
    /// </summary>
    public static Tensor BlendSearch(DecisionOracle oracle, Tensor x, Tensor p, Tensor owners, double tolerance)
    {
        var high = ones(x.shape[0], dtype: x.dtype, device: x.device);
        return Search(oracle, alpha => x + Core.PerSample.Broadcast(alpha, x) * (p - x), high, full_like(high, tolerance), owners);
    }

    /// <summary>
    /// The bisection of a path <paramref name="at"/>(s) from the input (s = 0) to an adversarial (s = <paramref name="high"/>
    /// [m]) per sample of <paramref name="owners"/>, until the gap is at most <paramref name="tolerance"/> [m] or the
    /// sample's budget is spent: the point at the adversarial end, at(high).
    /// </summary>
    public static Tensor Search(DecisionOracle oracle, Func<Tensor, Tensor> at, Tensor high, Tensor tolerance, Tensor owners)
    {
        var low = zeros_like(high);
        while (true)
        {
            var running = (high - low).gt(tolerance).logical_and(oracle.Left.index_select(0, owners).gt(0));
            if (!running.any().item<bool>()) break;
            var which = running.nonzero().squeeze(1);
            var mid = (high + low) / 2;
            var ok = oracle.Ask(at(mid).index_select(0, which), owners.index_select(0, which));
            var okAll = zeros_like(running).index_copy(0, which, ok);
            high = where(running.logical_and(okAll), mid, high);
            low = where(running.logical_and(okAll.logical_not()), mid, low);
        }
        return at(high);
    }

    /// <inheritdoc />
    public void Dispose() => _queries.Dispose();
}
