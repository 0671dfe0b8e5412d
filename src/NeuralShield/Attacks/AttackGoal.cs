using NeuralShield.Internal;
using static TorchSharp.torch;

namespace NeuralShield.Attacks;

/// <summary>
/// What an evasion attack aims for: an untargeted attack moves each sample away from its true label,
/// a targeted one moves it to a chosen label. Holds a reference to the caller's label tensor (never disposes it).
/// </summary>
public sealed class AttackGoal
{
    private AttackGoal(Tensor labels, bool targeted)
    {
        ArgumentNullException.ThrowIfNull(labels, nameof(labels));
        if (labels.dim() != 1) throw new ArgumentException($"labels must be a vector [N]; got shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        Labels = labels;
        IsTargeted = targeted;
    }

    /// <summary>Succeed when the prediction differs from <paramref name="trueLabels"/> [N].</summary>
    public static AttackGoal Untargeted(Tensor trueLabels) => new(trueLabels, false);

    /// <summary>Succeed when the prediction equals <paramref name="targetLabels"/> [N].</summary>
    public static AttackGoal Targeted(Tensor targetLabels) => new(targetLabels, true);

    /// <summary>True labels (untargeted) or target labels (targeted), [N] int64.</summary>
    public Tensor Labels { get; }

    /// <summary>Whether the goal is a target class.</summary>
    public bool IsTargeted { get; }

    /// <summary>Per-sample success [N] (bool) for predicted labels [N].</summary>
    public Tensor IsSuccess(Tensor predicted)
    {
        using var labels = Labels.to(predicted.device);
        return IsTargeted ? predicted.eq(labels) : predicted.ne(labels);
    }

    /// <summary>The same goal restricted to the samples at <paramref name="indices"/>; the caller disposes the result's labels.</summary>
    public AttackGoal Select(Tensor indices) => new(Labels.index_select(0, indices.to(Labels.device)), IsTargeted);

    /// <summary>The same goal for the samples [start, start + length); the labels are a view of this goal's.</summary>
    internal AttackGoal Narrow(long start, long length) => new(Labels.narrow(0, start, length), IsTargeted);

    /// <summary>The same goal with its labels as int64 on <paramref name="device"/> (a new tensor unless already there).</summary>
    internal AttackGoal OnDevice(Device device) =>
        Labels.device == device && Labels.dtype == ScalarType.Int64 ? this : new(Labels.to(device).to_type(ScalarType.Int64), IsTargeted);

    /// <summary>Checks the goal against a batch of <paramref name="count"/> samples and <paramref name="classCount"/> classes.</summary>
    internal void Validate(long count, int classCount) => Guard.Labels(Labels, count, classCount, nameof(Labels));

    /// <inheritdoc />
    public override string ToString() => IsTargeted ? "targeted" : "untargeted";
}
