namespace NeuralShield;

/// <summary>Argument checks shared by the whole library: each names the argument and what was expected.</summary>
internal static partial class Guard
{
    /// <summary>Returns <paramref name="value"/>; throws unless it is positive.</summary>
    public static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");

    /// <summary>Returns <paramref name="value"/>; throws unless it is a positive finite number.</summary>
    public static double Positive(double value, string name) =>
        value > 0 && !double.IsInfinity(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");

    /// <summary>Returns <paramref name="value"/>; throws unless it is a non-negative finite number.</summary>
    public static double NonNegative(double value, string name) =>
        value >= 0 && !double.IsInfinity(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a non-negative finite number.");

    /// <summary>Returns <paramref name="value"/>; throws unless it is non-negative.</summary>
    public static int NonNegative(int value, string name) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative.");

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

    /// <summary>
    /// Checks class indices: a vector of <paramref name="count"/> elements of an integer dtype (int8, int16,
    /// int32, int64 or uint8), every value in [0, <paramref name="classCount"/>).
    /// </summary>
    public static void Labels(Tensor labels, long count, int classCount, string name)
    {
        ArgumentNullException.ThrowIfNull(labels, name);
        if (labels.IsInvalid) throw new ObjectDisposedException(name, $"{name} has been disposed.");
        if (labels.dim() != 1 || labels.shape[0] != count)
            throw new ArgumentException($"{name} must be a vector of {count} class indices; got shape [{string.Join(", ", labels.shape)}].", name);
        IntegerLabels(labels, name);
        if (count == 0) return;
        using var min = labels.min();
        using var max = labels.max();
        using var lo64 = min.to_type(ScalarType.Int64);
        using var hi64 = max.to_type(ScalarType.Int64);
        var lo = lo64.item<long>();
        var hi = hi64.item<long>();
        if (lo < 0 || hi >= classCount)
            throw new ArgumentOutOfRangeException(name, $"{name} must lie in [0, {classCount - 1}]; found values in [{lo}, {hi}].");
    }

    /// <summary>Checks that <paramref name="labels"/> has an integer dtype that can hold class indices (int8, int16, int32, int64, uint8).</summary>
    public static void IntegerLabels(Tensor labels, string name)
    {
        if (labels.dtype.IsInteger()) return;
        var hint = labels.dtype.IsFloatingPoint()
            ? " Float labels are refused rather than rounded; convert whole-number labels with to_type(ScalarType.Int64)."
            : string.Empty;
        throw new ArgumentException($"{name} must hold integer class indices (int8, int16, int32, int64 or uint8); got {labels.dtype}.{hint}", name);
    }

    /// <summary>
    /// Refuses NaN and ±Inf elements in a floating tensor, naming how many there are and the first sample
    /// (index along dimension 0) holding one. Integer and bool tensors are always finite.
    /// </summary>
    public static void Finite(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.IsInvalid) throw new ObjectDisposedException(name, $"{name} has been disposed.");
        if (!t.dtype.IsFloatingPoint() || t.numel() == 0) return;
        using var scope = NewDisposeScope();
        if (t.isfinite().all().item<bool>()) return;
        var rows = t.dim() == 0 ? t.reshape(1, 1) : t.reshape(t.shape[0], -1);
        var nan = rows.isnan();
        var nanCount = nan.sum().item<long>();
        if (nanCount > 0)
            throw new ArgumentException($"{name} holds {nanCount} NaN element{(nanCount == 1 ? "" : "s")}; the first is in sample {FirstRow(nan)}. Inputs must be finite numbers.", name);
        var inf = rows.isinf();
        var infCount = inf.sum().item<long>();
        throw new ArgumentException($"{name} holds {infCount} infinite (±Inf) element{(infCount == 1 ? "" : "s")}; the first is in sample {FirstRow(inf)}. Inputs must be finite numbers.", name);
    }

    /// <summary>The index of the first row of a bool matrix [N, K] holding a true element.</summary>
    private static long FirstRow(Tensor mask)
    {
        using var any = mask.any(1);
        using var index = any.nonzero();
        using var first = index[0, 0];
        return first.item<long>();
    }
}

internal static class ScalarTypeExtensions
{
    public static bool IsFloatingPoint(this ScalarType type) =>
        type is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    /// <summary>Whether <paramref name="type"/> is an integer dtype that can hold class indices (int8, int16, int32, int64, uint8).</summary>
    public static bool IsInteger(this ScalarType type) =>
        type is ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64 or ScalarType.Byte;
}
