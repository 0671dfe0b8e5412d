namespace NeuralShield.Attacks.Evasion;

/// <summary>
/// The projection step of FAB (Croce and Hein, ICML 2020, Section 3.1): for points t [M, D], hyperplanes ⟨w, z⟩ = b
/// (w [M, D], b [M]) and the box [l, u], the smallest δ in the L∞ or L2 norm with ⟨w, t + δ⟩ = b and t + δ in the box;
/// where the hyperplane does not meet the box, the δ to the box's corner closest to it. Batched and without host reads.
/// </summary>
/// <remarks>
/// With the sign of w chosen so that ⟨w, t⟩ − b = c ≥ 0, each coordinate moves against the sign of wᵢ, by at most its
/// room pᵢ to the box's face. For a parameter θ ≥ 0 the move is min(θ, pᵢ) (L∞) or min(θ·|wᵢ|, pᵢ) (L2, the KKT
/// solution of the box-constrained least-norm problem), which lowers ⟨w, ·⟩ by H(θ) = Σᵢ min(kᵢθ, vᵢ) with vᵢ = |wᵢ|pᵢ and
/// kᵢ = |wᵢ| (L∞) or wᵢ² (L2): piecewise linear and non-decreasing, with breakpoints rᵢ = vᵢ/kᵢ. Sorting the breakpoints,
/// H at each is a prefix sum; the segment holding H(θ) = c follows from counting the breakpoints below c, and θ from the
/// linear piece there. Coordinates with wᵢ = 0 do not move.
/// </remarks>
internal static class BoxedHyperplane
{
    /// <summary>δ [M, D] (see the class): the smallest move of each point onto its hyperplane inside the bounds.</summary>
    public static Tensor Step(Tensor points, Tensor w, Tensor b, InputBounds bounds, Norm norm)
    {
        if (norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(norm), norm, "The projection is L∞ or L2.");
        using var scope = NewDisposeScope();
        var c = (w * points).sum(1) - b;
        var sign = c.ge(0).to_type(w.dtype) * 2 - 1;
        var ws = w * sign.unsqueeze(1);
        c = c * sign;
        var moving = ws.ne(0);
        var room = where(ws.gt(0), points - bounds.Lower, bounds.Upper - points).clamp_min(0);
        var magnitude = ws.abs();
        var slope = norm == Norm.LInf ? magnitude : magnitude * magnitude;
        var full = magnitude * room;
        var breakpoints = where(moving, full / where(moving, slope, ones_like(slope)), full_like(full, double.PositiveInfinity));
        var (sorted, order) = breakpoints.sort(1);
        var cumulativeValue = full.gather(1, order).cumsum(1);
        var cumulativeSlope = slope.gather(1, order).cumsum(1);
        var totalSlope = cumulativeSlope.narrow(1, -1, 1);
        var total = cumulativeValue.select(1, -1);
        // H at each breakpoint; the count of those below c is the number of coordinates already at their face.
        var atBreakpoints = cumulativeValue + sorted * (totalSlope - cumulativeSlope);
        var below = atBreakpoints.lt(c.unsqueeze(1)).logical_and(sorted.isfinite()).sum(1, keepdim: true);
        var zero = zeros_like(c).unsqueeze(1);
        var valueBefore = cat([zero, cumulativeValue], 1).gather(1, below).squeeze(1);
        var slopeAfter = (totalSlope - cat([zero, cumulativeSlope], 1).gather(1, below)).squeeze(1);
        var feasible = c.lt(total);
        var theta = where(feasible, (c - valueBefore) / where(feasible, slopeAfter, ones_like(slopeAfter)), zeros_like(c)).clamp_min(0);
        var reach = norm == Norm.LInf ? theta.unsqueeze(1) : theta.unsqueeze(1) * magnitude;
        var move = where(feasible.unsqueeze(1), minimum(reach, room), room);
        return (-ws.sign() * move).MoveToOuterDisposeScope();
    }
}
