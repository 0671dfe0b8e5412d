namespace NeuralShield.Metrics;

/// <summary>Per-sample distances between two batches of the same shape [N, ...]; each returns a fresh [N] float32 tensor.</summary>
public static class Distances
{
    /// <summary>The number of features of each sample that differ by more than <paramref name="tolerance"/>.</summary>
    public static Tensor L0(Tensor a, Tensor b, float tolerance = 1e-6f)
    {
        Check(a, b);
        using var diff = (a - b).abs().flatten(1);
        using var changed = diff.gt(tolerance);
        return changed.sum(1).to_type(ScalarType.Float32);
    }

    /// <summary>The Euclidean distance of each pair of samples.</summary>
    public static Tensor L2(Tensor a, Tensor b)
    {
        Check(a, b);
        using var diff = (a - b).flatten(1);
        return diff.norm(1, false, 2.0f).to_type(ScalarType.Float32);
    }

    /// <summary>The largest absolute difference of each pair of samples.</summary>
    public static Tensor LInf(Tensor a, Tensor b)
    {
        Check(a, b);
        using var diff = (a - b).abs().flatten(1);
        return diff.amax(1).to_type(ScalarType.Float32);
    }

    /// <summary>The distance of each pair of samples in <paramref name="norm"/>.</summary>
    public static Tensor Of(Norm norm, Tensor a, Tensor b) => norm switch
    {
        Norm.L0 => L0(a, b),
        Norm.L2 => L2(a, b),
        Norm.LInf => LInf(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(norm), norm, "Unknown norm."),
    };

    private static void Check(Tensor a, Tensor b)
    {
        Guard.Batch(a, nameof(a), minDims: 1);
        Guard.Batch(b, nameof(b), minDims: 1);
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"Both batches must have the same shape; got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].", nameof(b));
    }
}
