namespace NeuralShield.Attacks.Core;

/// <summary>The objectives of the library's gradient attacks, each a scalar to ascend (summed over samples).</summary>
public static class Objectives
{
    /// <summary>The objective of <paramref name="loss"/> toward <paramref name="goal"/> (labels already on the logits' device, int64).</summary>
    public static AttackObjective For(GradientLoss loss, AttackGoal goal)
    {
        ArgumentNullException.ThrowIfNull(goal);
        var labels = goal.Labels;
        var targeted = goal.IsTargeted;
        return loss switch
        {
            GradientLoss.CrossEntropy => logits => CrossEntropy(logits, labels, targeted),
            GradientLoss.LogitMargin => logits => LogitMargin(logits, labels, targeted),
            GradientLoss.Dlr when targeted => logits => TargetedDlrLosses(logits, null, labels).sum(),
            GradientLoss.Dlr => logits => DlrLosses(logits, labels).sum(),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
        };
    }

    /// <summary>Σ_n CE(softmax(Z_n), y_n) (untargeted, ascended) or −Σ_n CE(softmax(Z_n), t_n) (targeted).</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels, bool targeted)
    {
        var ce = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum);
        if (!targeted) return ce;
        using (ce) return -ce;
    }

    /// <summary>
    /// Σ_n of max_{j≠y} Z_j − Z_y (untargeted) or Z_t − max_{j≠t} Z_j (targeted), each clamped above at
    /// <paramref name="kappa"/> when given (Carlini–Wagner's confidence κ: no gain beyond a margin of κ).
    /// </summary>
    public static Tensor LogitMargin(Tensor logits, Tensor labels, bool targeted, double? kappa = null)
    {
        using var scope = NewDisposeScope();
        var margins = Margins(logits, labels);
        if (targeted) margins = -margins;
        if (kappa is { } k) margins = margins.clamp_max(k);
        return margins.sum().MoveToOuterDisposeScope();
    }

    /// <summary>Per-sample max_{j≠y} Z_j − Z_y [N]: positive exactly when the top class differs from y.</summary>
    public static Tensor Margins(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var index = labels.unsqueeze(1);
        var own = logits.gather(1, index).squeeze(1);
        var mask = zeros_like(logits, dtype: ScalarType.Bool).scatter_(1, index, ones_like(index, dtype: ScalarType.Bool));
        var others = logits.masked_fill(mask, float.NegativeInfinity).amax(1);
        return (others - own).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The untargeted DLR loss per sample [N]: (max_{j≠y} Z_j − Z_y)/(Z_π1 − Z_π3 + 10⁻¹²), π sorting the logits
    /// in decreasing order (Croce and Hein 2020, eq. 4). Positive exactly when the top class differs from y. Needs C ≥ 3.
    /// </summary>
    public static Tensor DlrLosses(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.shape[1] < 3) throw new ArgumentException($"The DLR loss needs at least 3 classes; got {logits.shape[1]}.", nameof(logits));
        using var scope = NewDisposeScope();
        var top = logits.topk(3, 1).values;
        var scale = top.select(1, 0) - top.select(1, 2) + 1e-12;
        return (Margins(logits, labels) / scale).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The targeted DLR loss per sample [N], ascended toward <paramref name="targets"/>:
    /// (Z_t − Z_y)/(Z_π1 − (Z_π3 + Z_π4)/2 + 10⁻¹²) (Croce and Hein 2020, eq. 5), with y the true
    /// <paramref name="labels"/>; when <paramref name="labels"/> is null, Z_y is the largest logit other than the
    /// target's (the same where the true class is the strongest other class). Needs C ≥ 4.
    /// </summary>
    public static Tensor TargetedDlrLosses(Tensor logits, Tensor? labels, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.shape[1] < 4) throw new ArgumentException($"The targeted DLR loss needs at least 4 classes; got {logits.shape[1]}.", nameof(logits));
        using var scope = NewDisposeScope();
        var top = logits.topk(4, 1).values;
        var scale = top.select(1, 0) - 0.5 * (top.select(1, 2) + top.select(1, 3)) + 1e-12;
        var towardTarget = labels is null
            ? -Margins(logits, targets)
            : logits.gather(1, targets.unsqueeze(1)).squeeze(1) - logits.gather(1, labels.unsqueeze(1)).squeeze(1);
        return (towardTarget / scale).MoveToOuterDisposeScope();
    }
}
