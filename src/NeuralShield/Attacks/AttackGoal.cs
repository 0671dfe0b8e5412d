namespace NeuralShield.Attacks;

/// <summary>
/// What an evasion attack aims for: an untargeted attack moves each sample away from its true label,
/// a targeted one moves it to a chosen label. Labels may have any integer dtype (int8, int16, int32, int64,
/// uint8): int64 labels are held by reference (the goal never disposes the caller's tensor); other integer
/// dtypes are converted to an int64 copy once, here, which the goal owns and the garbage collector frees.
/// Float and bool labels are refused.
/// </summary>
public sealed class AttackGoal
{
    private AttackGoal(Tensor labels, bool targeted)
    {
        ArgumentNullException.ThrowIfNull(labels, nameof(labels));
        if (labels.IsInvalid) throw new ObjectDisposedException(nameof(labels), "labels has been disposed.");
        if (labels.dim() != 1) throw new ArgumentException($"labels must be a vector [N]; got shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        Guard.IntegerLabels(labels, nameof(labels));
        // The copy must outlive any dispose scope the caller is in: the goal, not the scope, owns it.
        Labels = labels.dtype == ScalarType.Int64 ? labels : labels.to_type(ScalarType.Int64).DetachFromDisposeScope();
        IsTargeted = targeted;
    }

    /// <summary>Succeed when the prediction differs from <paramref name="trueLabels"/> [N].</summary>
    public static AttackGoal Untargeted(Tensor trueLabels) => new(trueLabels, false);

    /// <summary>Succeed when the prediction equals <paramref name="targetLabels"/> [N].</summary>
    public static AttackGoal Targeted(Tensor targetLabels) => new(targetLabels, true);

    /// <summary>True labels (untargeted) or target labels (targeted), [N] int64 (the caller's tensor when it was int64, else an int64 copy).</summary>
    public Tensor Labels { get; }

    /// <summary>Whether the goal is a target class.</summary>
    public bool IsTargeted { get; }

    /// <summary>
    /// Per-sample success [N] (bool) for predicted labels [N] of any integer dtype. A negative prediction
    /// (<see cref="Models.ClassifierExtensions.NoPrediction"/>: the model gave no valid prediction) is never a
    /// success, for targeted and untargeted goals alike.
    /// </summary>
    public Tensor IsSuccess(Tensor predicted)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        if (predicted.dim() != 1 || predicted.shape[0] != Labels.shape[0])
            throw new ArgumentException($"predicted must be a vector of {Labels.shape[0]} class indices; got shape [{string.Join(", ", predicted.shape)}].", nameof(predicted));
        using var moved = Labels.device == predicted.device ? null : Labels.to(predicted.device);
        var labels = moved ?? Labels;
        using var hit = IsTargeted ? predicted.eq(labels) : predicted.ne(labels);
        using var valid = predicted.ge(0);
        return hit.logical_and(valid);
    }

    /// <summary>The same goal restricted to the samples at <paramref name="indices"/>; the caller disposes the result's labels.</summary>
    public AttackGoal Select(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.device == Labels.device) return new(Labels.index_select(0, indices), IsTargeted);
        using var onLabelsDevice = indices.to(Labels.device);
        return new(Labels.index_select(0, onLabelsDevice), IsTargeted);
    }

    /// <summary>The same goal for the samples [start, start + length); the labels are a view of this goal's.</summary>
    public AttackGoal Narrow(long start, long length) => new(Labels.narrow(0, start, length), IsTargeted);

    /// <summary>The same goal with its labels as int64 on <paramref name="device"/> (a new tensor unless already there).</summary>
    public AttackGoal OnDevice(Device device) =>
        Labels.device == device && Labels.dtype == ScalarType.Int64 ? this : new(Labels.to(device).to_type(ScalarType.Int64), IsTargeted);

    /// <summary>Checks the goal against a batch of <paramref name="count"/> samples and <paramref name="classCount"/> classes.</summary>
    /// <exception cref="ArgumentException">The labels are not a vector of <paramref name="count"/> class indices in [0, C).</exception>
    public void Validate(long count, int classCount) => Guard.Labels(Labels, count, classCount, nameof(Labels));

    /// <inheritdoc />
    public override string ToString() => IsTargeted ? "targeted" : "untargeted";
}
