namespace NeuralShield;

/// <summary>
/// The box every valid input lies in, e.g. [0, 1] for pixel intensities. <c>default(InputBounds)</c> is the
/// empty box [0, 0] (see <see cref="IsDefault"/>); classifiers and the library's entry points refuse it.
/// </summary>
public readonly record struct InputBounds
{
    /// <summary>Creates bounds; <paramref name="lower"/> must be below <paramref name="upper"/>, both finite.</summary>
    public InputBounds(float lower, float upper)
    {
        if (!float.IsFinite(lower) || !float.IsFinite(upper) || !(lower < upper))
            throw new ArgumentException($"Input bounds must be finite with lower < upper; got [{lower}, {upper}].", nameof(lower));
        Lower = lower;
        Upper = upper;
    }

    /// <summary>The smallest valid feature value.</summary>
    public float Lower { get; }

    /// <summary>The largest valid feature value.</summary>
    public float Upper { get; }

    /// <summary>
    /// True for <c>default(InputBounds)</c> (or any value not made by the constructor): lower == upper, an
    /// empty box no input can usefully lie in. Bounds made by the constructor are never default.
    /// </summary>
    public bool IsDefault => !(Lower < Upper);

    /// <summary>The width of the box.</summary>
    public float Range => Upper - Lower;

    /// <summary>The unit box [0, 1].</summary>
    public static InputBounds Unit => new(0f, 1f);

    /// <summary>
    /// The box a model of data whose scale is not given works in, by one rule for every caller: [0, 1] when every value
    /// of <paramref name="features"/> lies there (pixels), otherwise [⌊min(lo, 0)⌋ − 1, ⌈max(hi, 1)⌉ + 1] over all of
    /// them — standardised or one-hot tabular data with a unit of margin.
    /// </summary>
    /// <exception cref="ArgumentException">No tensor, an empty one, or a non-finite value.</exception>
    public static InputBounds Covering(params Tensor[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length == 0) throw new ArgumentException("At least one feature tensor is needed.", nameof(features));
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var f in features)
        {
            ArgumentNullException.ThrowIfNull(f, nameof(features));
            if (f.numel() == 0) throw new ArgumentException("A feature tensor is empty.", nameof(features));
            using var scope = NewDisposeScope();
            lo = Math.Min(lo, f.min().to_type(ScalarType.Float64).item<double>());
            hi = Math.Max(hi, f.max().to_type(ScalarType.Float64).item<double>());
        }
        if (!double.IsFinite(lo) || !double.IsFinite(hi)) throw new ArgumentException("The features hold NaN or infinite values.", nameof(features));
        return lo >= 0 && hi <= 1 ? Unit : new InputBounds((float)Math.Floor(Math.Min(lo, 0)) - 1, (float)Math.Ceiling(Math.Max(hi, 1)) + 1);
    }

    /// <summary>A new tensor: <paramref name="inputs"/> clamped into the box.</summary>
    public Tensor Clamp(Tensor inputs) => inputs.clamp(Lower, Upper);

    /// <summary>
    /// True when every element of <paramref name="inputs"/> lies in the box (with a small tolerance). Works for
    /// every dtype (float16, bfloat16, float32, float64 and integers); false when any element is NaN, true for
    /// an empty tensor. Entry points should prefer the library's input check, whose message tells NaN, ±Inf and
    /// out-of-range values apart.
    /// </summary>
    public bool Contains(Tensor inputs, float tolerance = 1e-6f)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.numel() == 0) return true;
        using var scope = NewDisposeScope();
        var both = stack([inputs.min(), inputs.max()]).to_type(ScalarType.Float64).cpu();
        var values = both.data<double>().ToArray();
        // Comparisons with NaN are false, so a NaN element makes the answer false.
        return values[0] >= (double)Lower - tolerance && values[1] <= (double)Upper + tolerance;
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Lower}, {Upper}]";
}
