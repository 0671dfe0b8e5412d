using NeuralShield.Attacks;
using NeuralShield.Attacks.Poisoning;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// Per-source rate limiting of an on-line learner (source filtering): each source may have at most
/// <see cref="MaxPoints"/> points learned within any window of <see cref="WindowBatches"/> consecutive offered
/// batches (of all sources); the excess is dropped. A coordinated group of sources still gets its share, but each
/// member's influence per unit of time is bounded.
/// </summary>
public sealed class RateLimitGuard : IOnlineGuard, IDefense
{
    private readonly Dictionary<string, Queue<(long Sequence, int Count)>> _history = new(StringComparer.Ordinal);

    /// <summary>Creates the limit.</summary>
    /// <param name="maxPoints">Points a source may have admitted per window (positive).</param>
    /// <param name="windowBatches">Window length in offered batches (positive).</param>
    public RateLimitGuard(int maxPoints, int windowBatches)
    {
        Guard.Positive(maxPoints, nameof(maxPoints));
        Guard.Positive(windowBatches, nameof(windowBatches));
        MaxPoints = maxPoints;
        WindowBatches = windowBatches;
    }

    /// <summary>Points a source may have admitted per window.</summary>
    public int MaxPoints { get; }

    /// <summary>Window length in offered batches.</summary>
    public int WindowBatches { get; }

    /// <inheritdoc />
    public string Name => "rate limit";

    /// <inheritdoc />
    public bool ChecksUpdates => false;

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("Per-source rate limit", DefenseKind.Data, null, [AttackFamily.Poisoning]);

    /// <inheritdoc />
    public Tensor Admit(IncomingBatch batch, IDifferentiableClassifier current)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!_history.TryGetValue(batch.Source, out var queue)) _history[batch.Source] = queue = new();
        while (queue.Count > 0 && queue.Peek().Sequence <= batch.Sequence - WindowBatches) queue.Dequeue();
        var used = queue.Sum(e => e.Count);
        var n = (int)batch.Inputs.shape[0];
        var allowed = Math.Clamp(MaxPoints - used, 0, n);
        if (allowed > 0) queue.Enqueue((batch.Sequence, allowed));
        var mask = new bool[n];
        for (var i = 0; i < allowed; i++) mask[i] = true;
        return tensor(mask, device: batch.Inputs.device);
    }

    /// <inheritdoc />
    public bool Approve(IncomingBatch batch, IDifferentiableClassifier updated) => true;
}

/// <summary>The anomaly score an <see cref="AnomalyGuard"/> gives each incoming point.</summary>
public enum AnomalyScore
{
    /// <summary>The cross-entropy of the point's label under the current model (Steinhardt et al.'s loss defense, on-line).</summary>
    Loss,

    /// <summary>The Euclidean distance of the point's representation to the centroid of its labelled class (the sphere defense), compared with that class's threshold.</summary>
    CentroidDistance,
}

/// <summary>Settings of an <see cref="AnomalyGuard"/>.</summary>
public sealed class AnomalyGuardOptions : OptionsBase<AnomalyGuardOptions>
{
    /// <summary>The score. Default <see cref="AnomalyScore.Loss"/>.</summary>
    public AnomalyScore Score { get; set; } = AnomalyScore.Loss;

    /// <summary>The threshold is this quantile of the clean calibration scores (per class for centroid distances): the share of clean points admitted. Default 0.99.</summary>
    public double Quantile { get; set; } = 0.99;

    /// <inheritdoc />
    protected override void Validate()
    {
        Guard.Defined(Score, nameof(Score));
        if (!(Quantile > 0 && Quantile <= 1)) throw new ArgumentOutOfRangeException(nameof(Quantile), Quantile, "Quantile must lie in (0, 1].");
    }
}

/// <summary>
/// An anomaly score on every point an on-line learner is offered, with a threshold calibrated on clean data: points
/// scoring above it are dropped before the update. The loss score is computed under the current model; its threshold
/// is the quantile of the clean calibration losses under the model at calibration time. The centroid score uses a
/// fixed representation (the inputs themselves unless one is given) and per-class centroids and thresholds from the
/// calibration set.
/// </summary>
public sealed class AnomalyGuard : IOnlineGuard, IDefense
{
    private readonly AnomalyGuardOptions _options;
    private readonly Func<Tensor, Tensor> _representation;
    private readonly float[] _thresholds;
    private readonly Tensor? _centroids;

    /// <summary>Calibrates the guard on clean <paramref name="calibration"/> data.</summary>
    /// <param name="calibration">Clean labelled points of the stream's distribution.</param>
    /// <param name="model">The deployed model (needed for <see cref="AnomalyScore.Loss"/>).</param>
    /// <param name="options">Settings.</param>
    /// <param name="representation">For <see cref="AnomalyScore.CentroidDistance"/>: maps inputs [N, ...] to features [N, D] (fresh tensors); null: the flattened inputs.</param>
    public AnomalyGuard(LabeledData calibration, IDifferentiableClassifier? model, AnomalyGuardOptions? options = null, Func<Tensor, Tensor>? representation = null)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        _options = (options ?? new AnomalyGuardOptions()).Validated();
        _representation = representation ?? (x => x.flatten(1));
        using var scope = NewDisposeScope();
        if (_options.Score == AnomalyScore.Loss)
        {
            if (model is null) throw new ArgumentException("The loss score needs the model.", nameof(model));
            var losses = Losses(model, calibration.Features.to(model.Device), calibration.Labels.to(model.Device)).cpu();
            _thresholds = [QuantileOf(losses.data<float>().ToArray(), _options.Quantile)];
        }
        else
        {
            using var _ = no_grad();
            var features = _representation(calibration.Features).to_type(ScalarType.Float32);
            var labels = calibration.Labels.to(features.device);
            var c = calibration.ClassCount;
            var centroids = zeros(c, features.shape[1], device: features.device);
            _thresholds = new float[c];
            for (var k = 0; k < c; k++)
            {
                var idx = labels.eq(k).nonzero().squeeze(1);
                if (idx.shape[0] == 0) throw new ArgumentException($"calibration holds no point of class {k}.", nameof(calibration));
                var rows = features.index_select(0, idx);
                var centre = rows.mean([0]);
                centroids[k] = centre;
                var d = (rows - centre).norm(1, false, 2).cpu();
                _thresholds[k] = QuantileOf(d.data<float>().ToArray(), _options.Quantile);
            }
            _centroids = centroids.MoveToOuterDisposeScope();
        }
    }

    /// <summary>A copy of the settings.</summary>
    public AnomalyGuardOptions Options => _options.Copy();

    /// <summary>The calibrated thresholds: one for the loss score, one per class for centroid distances.</summary>
    public IReadOnlyList<float> Thresholds => _thresholds;

    /// <inheritdoc />
    public string Name => _options.Score == AnomalyScore.Loss ? "anomaly (loss)" : "anomaly (centroid distance)";

    /// <inheritdoc />
    public bool ChecksUpdates => false;

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("On-line anomaly score", DefenseKind.Data, PoisoningPapers.Steinhardt2017, [AttackFamily.Poisoning]);

    /// <summary>The score of each point [N] (float32, CPU) under <paramref name="current"/>.</summary>
    public Tensor Scores(Tensor inputs, Tensor labels, IDifferentiableClassifier current)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(current);
        using var scope = NewDisposeScope();
        if (_options.Score == AnomalyScore.Loss)
            return Losses(current, inputs.to(current.Device), labels.to(current.Device)).cpu().MoveToOuterDisposeScope();
        using var _ = no_grad();
        var features = _representation(inputs).to_type(ScalarType.Float32);
        var centre = _centroids!.to(features.device).index_select(0, labels.to(features.device));
        return (features - centre).norm(1, false, 2).cpu().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Admit(IncomingBatch batch, IDifferentiableClassifier current)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var scores = Scores(batch.Inputs, batch.Labels, current);
        var thresholds = tensor(_thresholds);
        var limit = _options.Score == AnomalyScore.Loss ? thresholds.expand(scores.shape[0]) : thresholds.index_select(0, batch.Labels.cpu());
        return scores.le(limit).to(batch.Inputs.device).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public bool Approve(IncomingBatch batch, IDifferentiableClassifier updated) => true;

    private static Tensor Losses(IDifferentiableClassifier model, Tensor x, Tensor y)
    {
        using var _ = no_grad();
        using var logits = model.Logits(x);
        return nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.None);
    }

    internal static float QuantileOf(float[] values, double q)
    {
        Array.Sort(values);
        var rank = (int)Math.Ceiling(q * values.Length) - 1;
        return values[Math.Clamp(rank, 0, values.Length - 1)];
    }
}

/// <summary>What a <see cref="ValidationGate"/> watches on its held-out set.</summary>
public enum GateCriterion
{
    /// <summary>Accuracy; an update is refused when it falls more than the tolerance (absolute) below the best accepted accuracy.</summary>
    Accuracy,

    /// <summary>Mean cross-entropy; an update is refused when it rises more than the tolerance (relative) above the best accepted loss.</summary>
    Loss,
}

/// <summary>
/// A validation gate for an on-line learner (watching a validation set for statistical anomalies): after each update
/// the model is evaluated on a held-out clean set, and the update is undone when it degrades the set beyond a
/// tolerance. The reference is the best value accepted so far (a ratchet), so a slow drift of small degradations
/// is refused too.
/// </summary>
public sealed class ValidationGate : IOnlineGuard, IDefense, IDisposable
{
    private readonly LabeledData _holdout;
    private double? _best;

    /// <summary>Creates the gate; <paramref name="holdout"/> is copied.</summary>
    /// <param name="holdout">Clean held-out data, never learned from.</param>
    /// <param name="tolerance">Accuracy: the most an update may lower it (absolute, e.g. 0.005); loss: the most it may raise it (relative, e.g. 0.02).</param>
    /// <param name="criterion">What is watched.</param>
    public ValidationGate(LabeledData holdout, double tolerance, GateCriterion criterion = GateCriterion.Accuracy)
    {
        ArgumentNullException.ThrowIfNull(holdout);
        Guard.NonNegative(tolerance, nameof(tolerance));
        Guard.Defined(criterion, nameof(criterion));
        _holdout = holdout.Slice(0, holdout.Count);
        Tolerance = tolerance;
        Criterion = criterion;
    }

    /// <summary>The tolerance.</summary>
    public double Tolerance { get; }

    /// <summary>What is watched.</summary>
    public GateCriterion Criterion { get; }

    /// <summary>Updates refused so far.</summary>
    public long Refused { get; private set; }

    /// <inheritdoc />
    public string Name => "validation gate";

    /// <inheritdoc />
    public bool ChecksUpdates => true;

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("Validation gate", DefenseKind.Data, null, [AttackFamily.Poisoning]);

    /// <inheritdoc />
    public Tensor Admit(IncomingBatch batch, IDifferentiableClassifier current)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _best ??= Measure(current);
        return ones(batch.Inputs.shape[0], ScalarType.Bool, device: batch.Inputs.device);
    }

    /// <inheritdoc />
    public bool Approve(IncomingBatch batch, IDifferentiableClassifier updated)
    {
        var value = Measure(updated);
        var best = _best ?? value;
        var ok = Criterion == GateCriterion.Accuracy ? value >= best - Tolerance : value <= best * (1 + Tolerance);
        if (!ok)
        {
            Refused++;
            return false;
        }
        _best = Criterion == GateCriterion.Accuracy ? Math.Max(best, value) : Math.Min(best, value);
        return true;
    }

    private double Measure(IDifferentiableClassifier model)
    {
        if (Criterion == GateCriterion.Accuracy) return NeuralShield.Training.ModelAccuracy.Of(model, _holdout);
        using var _ = no_grad();
        double sum = 0;
        foreach (var (x, y) in _holdout.Batches(1000, device: model.Device))
        {
            using var scope = NewDisposeScope();
            using var ownedX = x;
            using var ownedY = y;
            sum += nn.functional.cross_entropy(model.Logits(x), y, reduction: nn.Reduction.Sum).item<float>();
        }
        return sum / _holdout.Count;
    }

    /// <inheritdoc />
    public void Dispose() => _holdout.Dispose();
}
