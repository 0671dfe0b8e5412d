using static TorchSharp.torch;

namespace NeuralShield.Models;

/// <summary>The box every valid input lies in, e.g. [0, 1] for pixel intensities.</summary>
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

    /// <summary>The width of the box.</summary>
    public float Range => Upper - Lower;

    /// <summary>The unit box [0, 1].</summary>
    public static InputBounds Unit => new(0f, 1f);

    /// <summary>A new tensor: <paramref name="inputs"/> clamped into the box.</summary>
    public Tensor Clamp(Tensor inputs) => inputs.clamp(Lower, Upper);

    /// <summary>True when every element of <paramref name="inputs"/> lies in the box (with a small tolerance).</summary>
    public bool Contains(Tensor inputs, float tolerance = 1e-6f)
    {
        using var min = inputs.min();
        using var max = inputs.max();
        return min.item<float>() >= Lower - tolerance && max.item<float>() <= Upper + tolerance;
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Lower}, {Upper}]";
}
