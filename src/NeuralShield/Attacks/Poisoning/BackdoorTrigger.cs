namespace NeuralShield.Attacks.Poisoning;

/// <summary>
/// A backdoor trigger: a pattern that replaces the pixels under a mask, x' = (1 − m)·x + m·p, for samples of one
/// shape ([C, H, W] images, or any shape). The values are kept as plain arrays, so a trigger holds no native memory.
/// </summary>
public sealed class BackdoorTrigger
{
    private readonly float[] _pattern;
    private readonly float[] _mask;
    private readonly long[] _shape;

    /// <summary>A trigger of pattern <paramref name="pattern"/> under mask <paramref name="mask"/> (values in [0, 1]), both laid out as one sample of <paramref name="sampleShape"/>.</summary>
    /// <exception cref="ArgumentException">The arrays do not match the shape, or hold values that are not finite or a mask outside [0, 1].</exception>
    public BackdoorTrigger(IReadOnlyList<long> sampleShape, float[] pattern, float[] mask)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(mask);
        if (sampleShape.Count == 0 || sampleShape.Any(d => d <= 0)) throw new ArgumentException("sampleShape must list positive sizes.", nameof(sampleShape));
        var size = sampleShape.Aggregate(1L, (a, b) => a * b);
        if (pattern.Length != size) throw new ArgumentException($"pattern must hold {size} values; got {pattern.Length}.", nameof(pattern));
        if (mask.Length != size) throw new ArgumentException($"mask must hold {size} values; got {mask.Length}.", nameof(mask));
        if (pattern.Any(v => !float.IsFinite(v))) throw new ArgumentException("pattern must be finite.", nameof(pattern));
        if (mask.Any(v => !(v >= 0 && v <= 1))) throw new ArgumentException("mask values must lie in [0, 1].", nameof(mask));
        if (mask.All(v => v == 0)) throw new ArgumentException("mask must cover at least one value.", nameof(mask));
        _shape = sampleShape.ToArray();
        _pattern = (float[])pattern.Clone();
        _mask = (float[])mask.Clone();
    }

    /// <summary>The per-sample shape the trigger applies to.</summary>
    public IReadOnlyList<long> SampleShape => _shape;

    /// <summary>Number of values the trigger covers (mask &gt; 0).</summary>
    public int CoveredValues => _mask.Count(v => v > 0);

    /// <summary>
    /// A solid square of <paramref name="size"/>×<paramref name="size"/> pixels of value <paramref name="value"/> in the
    /// bottom-right corner of [C, H, W] images, <paramref name="margin"/> pixels from the edges, in every channel (the
    /// BadNets MNIST "single pixel" trigger is size 1; the usual reproduction uses a few pixels).
    /// </summary>
    public static BackdoorTrigger Square(IReadOnlyList<long> sampleShape, int size = 3, float value = 1f, int margin = 1) =>
        Corner(sampleShape, size, margin, (_, _) => value);

    /// <summary>
    /// The BadNets "pattern" trigger: a <paramref name="size"/>×<paramref name="size"/> checkerboard of
    /// <paramref name="high"/> and <paramref name="low"/> in the bottom-right corner of [C, H, W] images (Gu et al. 2017, Fig. 3).
    /// </summary>
    public static BackdoorTrigger Checkerboard(IReadOnlyList<long> sampleShape, int size = 3, float high = 1f, float low = 0f, int margin = 1) =>
        Corner(sampleShape, size, margin, (r, c) => (r + c) % 2 == 0 ? high : low);

    private static BackdoorTrigger Corner(IReadOnlyList<long> sampleShape, int size, int margin, Func<int, int, float> value)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count != 3) throw new ArgumentException($"A corner trigger needs [C, H, W] samples; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        Guard.Positive(size, nameof(size));
        Guard.NonNegative(margin, nameof(margin));
        var (channels, height, width) = ((int)sampleShape[0], (int)sampleShape[1], (int)sampleShape[2]);
        if (size + margin > height || size + margin > width)
            throw new ArgumentOutOfRangeException(nameof(size), $"A {size}×{size} trigger {margin} pixels from the edge does not fit a {height}×{width} image.");
        var pattern = new float[channels * height * width];
        var mask = new float[pattern.Length];
        for (var ch = 0; ch < channels; ch++)
            for (var r = 0; r < size; r++)
                for (var c = 0; c < size; c++)
                {
                    var i = ch * height * width + (height - margin - size + r) * width + (width - margin - size + c);
                    pattern[i] = value(r, c);
                    mask[i] = 1;
                }
        return new BackdoorTrigger(sampleShape, pattern, mask);
    }

    /// <summary>The inputs [N, ...] with the trigger stamped on: a fresh float32 tensor on the inputs' device; the inputs are not changed.</summary>
    /// <exception cref="ArgumentException">The samples do not have the trigger's shape.</exception>
    public Tensor Stamp(Tensor inputs)
    {
        Guard.Batch(inputs, nameof(inputs));
        if (!inputs.shape.Skip(1).SequenceEqual(_shape))
            throw new ArgumentException($"inputs must have shape [N, {string.Join(", ", _shape)}]; got [{string.Join(", ", inputs.shape)}].", nameof(inputs));
        using var scope = NewDisposeScope();
        var shape = new long[] { 1 }.Concat(_shape).ToArray();
        var p = tensor(_pattern, shape, device: inputs.device);
        var m = tensor(_mask, shape, device: inputs.device);
        var x = inputs.to_type(ScalarType.Float32);
        return (x * (1 - m) + p * m).MoveToOuterDisposeScope();
    }
}
