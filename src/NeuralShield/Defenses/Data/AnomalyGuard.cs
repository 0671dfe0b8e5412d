using NeuralShield.Attacks;
using NeuralShield.Attacks.Poisoning;

namespace NeuralShield.Defenses.Data;

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
    public DefenseDescriptor Descriptor => new("On-line anomaly score", DefenseKind.Data, Papers.Steinhardt2017, [AttackFamily.Poisoning]);

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
