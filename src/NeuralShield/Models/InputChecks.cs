namespace NeuralShield.Models;

/// <summary>The argument checks that involve an input box: inputs inside the bounds, and bounds that are set.</summary>
internal static class InputChecks
{
    /// <summary>
    /// The check for inputs a user hands to an entry point: a batch [N, ...] (at least <paramref name="minDims"/>
    /// dimensions, N ≥ 1) of a floating dtype (float16, bfloat16, float32 or float64), with no NaN and no ±Inf,
    /// inside <paramref name="bounds"/> up to a tolerance of 1e-4. Each failure names what was found.
    /// </summary>
    public static void Inputs(Tensor inputs, InputBounds bounds, string name, int minDims = 2)
    {
        Guard.Batch(inputs, name, minDims);
        Bounds(bounds, "bounds");
        var (lo, hi) = MinMax(inputs);
        if (!double.IsFinite(lo) || !double.IsFinite(hi)) Guard.Finite(inputs, name);
        if (!(lo >= bounds.Lower - BoundsTolerance && hi <= bounds.Upper + BoundsTolerance))
            throw new ArgumentException(
                $"{name} must lie inside the bounds {bounds} (tolerance {BoundsTolerance:G1}); observed min {lo:G6} and max {hi:G6}.", name);
    }

    /// <summary>The tolerance <see cref="Inputs"/> allows outside the bounds.</summary>
    public const double BoundsTolerance = 1e-4;

    /// <summary>Refuses <c>default(InputBounds)</c> (lower == upper == 0), which no real input box is.</summary>
    public static void Bounds(InputBounds bounds, string name)
    {
        if (bounds.IsDefault)
            throw new ArgumentException(
                $"{name} is default(InputBounds), the empty box {bounds}; create bounds with new InputBounds(lower, upper) or use InputBounds.Unit.", name);
    }

    /// <summary>The smallest and largest element of a non-empty tensor as float64 (NaN when it holds a NaN).</summary>
    private static (double Min, double Max) MinMax(Tensor t)
    {
        using var scope = NewDisposeScope();
        var both = stack([t.min(), t.max()]).to_type(ScalarType.Float64).cpu();
        var values = both.data<double>().ToArray();
        return (values[0], values[1]);
    }

}
