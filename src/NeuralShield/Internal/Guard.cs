using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Internal;

/// <summary>Argument checks shared by the whole library: each names the argument and what was expected.</summary>
internal static partial class Guard
{
    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
    }

    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be a non-negative finite number.");
    }

    public static void NonNegative(int value, string name)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative.");
    }

    public static void PositiveFloat32(double value, string name)
    {
        if (!(value > 0) || value > float.MaxValue)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive number that float32 can hold (at most {float.MaxValue:G3}).");
    }

    public static void Defined<TEnum>(TEnum value, string name) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
    }

    public static void InRange(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max)) throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [{min}, {max}].");
    }

    public static void Batch(Tensor inputs, string name, int minDims = 2)
    {
        ArgumentNullException.ThrowIfNull(inputs, name);
        if (inputs.IsInvalid) throw new ObjectDisposedException(name, $"{name} has been disposed.");
        if (inputs.dim() < minDims)
            throw new ArgumentException($"{name} must be a batch [N, ...] with at least {minDims} dimensions; got shape [{string.Join(", ", inputs.shape)}].", name);
        if (inputs.shape[0] == 0) throw new ArgumentException($"{name} must hold at least one sample.", name);
        if (!inputs.dtype.IsFloatingPoint())
            throw new ArgumentException($"{name} must be a floating-point tensor; got {inputs.dtype}.", name);
    }

    public static void Labels(Tensor labels, long count, int classCount, string name)
    {
        ArgumentNullException.ThrowIfNull(labels, name);
        if (labels.IsInvalid) throw new ObjectDisposedException(name, $"{name} has been disposed.");
        if (labels.dim() != 1 || labels.shape[0] != count)
            throw new ArgumentException($"{name} must be a vector of {count} class indices; got shape [{string.Join(", ", labels.shape)}].", name);
        if (labels.dtype.IsFloatingPoint() || labels.dtype == ScalarType.Bool)
            throw new ArgumentException($"{name} must hold integer class indices; got {labels.dtype}.", name);
        using var min = labels.min();
        using var max = labels.max();
        var lo = min.item<long>();
        var hi = max.item<long>();
        if (lo < 0 || hi >= classCount)
            throw new ArgumentOutOfRangeException(name, $"{name} must lie in [0, {classCount - 1}]; found values in [{lo}, {hi}].");
    }
}

internal static class ScalarTypeExtensions
{
    public static bool IsFloatingPoint(this ScalarType type) =>
        type is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;
}
