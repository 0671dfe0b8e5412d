namespace NeuralShield.Attacks.Core;

/// <summary>
/// The L∞ or L2 ball of radius ε around each sample: projection onto it, the steepest-ascent direction of
/// its norm, and uniformly random points in it. All functions are batched over [N, ...] and return fresh tensors.
/// </summary>
public readonly record struct LpBall
{
    /// <summary>A ball of radius <paramref name="epsilon"/> (positive, finite) in <paramref name="norm"/> (L∞ or L2).</summary>
    public LpBall(Norm norm, double epsilon)
    {
        if (norm is not (Norm.LInf or Norm.L2)) throw new ArgumentOutOfRangeException(nameof(norm), norm, "A ball is L∞ or L2.");
        Guard.Positive(epsilon, nameof(epsilon));
        Norm = norm;
        Epsilon = epsilon;
    }

    /// <summary>The norm: L∞ or L2.</summary>
    public Norm Norm { get; }

    /// <summary>The radius ε.</summary>
    public double Epsilon { get; }

    /// <summary>
    /// The closest point of the ball around <paramref name="center"/> to <paramref name="point"/>: clipping for L∞,
    /// rescaling of the difference for L2.
    /// </summary>
    public Tensor Project(Tensor point, Tensor center)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(center);
        if (Norm == Norm.LInf) return minimum(maximum(point, center - Epsilon), center + Epsilon);
        using var scope = NewDisposeScope();
        var delta = point - center;
        var factor = (Epsilon / PerSample.Norms(delta, Norm.L2).clamp_min(1e-12)).clamp_max(1.0);
        return (center + delta * PerSample.Broadcast(factor, delta)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The direction of steepest ascent of a linear function with gradient <paramref name="gradient"/> under a
    /// unit step in the norm: sign(g) for L∞, g/‖g‖₂ per sample for L2.
    /// </summary>
    public Tensor SteepestAscent(Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        return Norm == Norm.LInf ? gradient.sign() : PerSample.L2Normalise(gradient);
    }

    /// <summary>
    /// A uniformly random offset in the ball, shaped like <paramref name="like"/> [N, ...], on its device: uniform
    /// on [−ε, ε] per feature for L∞; a uniform direction times ε·u^(1/d) for L2 (uniform in the d-ball).
    /// Drawn from a generator seeded by <paramref name="seed"/> (on the CPU, so every device draws the same numbers).
    /// </summary>
    public Tensor RandomOffset(Tensor like, long seed)
    {
        ArgumentNullException.ThrowIfNull(like);
        using var generator = new Generator(unchecked((ulong)seed));
        using var scope = NewDisposeScope();
        Tensor offset;
        if (Norm == Norm.LInf)
        {
            offset = rand(like.shape, generator: generator) * (2 * Epsilon) - Epsilon;
        }
        else
        {
            var direction = PerSample.L2Normalise(randn(like.shape, generator: generator));
            var features = like.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            var radius = rand(like.shape[0], generator: generator).pow(1.0 / features) * Epsilon;
            offset = direction * PerSample.Broadcast(radius, direction);
        }
        return offset.to(like.device).to_type(like.dtype).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Norm} ball of radius {Epsilon}";
}
