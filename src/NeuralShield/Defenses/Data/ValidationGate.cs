using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Data;

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
