using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>
/// How the values a caller passes (inside <see cref="OnnxClassifierOptions.Bounds"/>) become what the ONNX model
/// receives: <c>model input = x · Scale + Offset</c>, then per channel (dimension 1) <c>(· − Mean[c]) / Std[c]</c> when a
/// mean and standard deviation are given. Attacks work in the caller's space; the scaling is applied inside the
/// classifier, so perturbation budgets keep the meaning they have for the caller's bounds.
/// </summary>
public sealed class InputScaling
{
    private readonly float[]? _mean;
    private readonly float[]? _std;

    private InputScaling(float scale, float offset, float[]? mean, float[]? std)
    {
        if (!float.IsFinite(scale) || scale == 0f)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be a finite, non-zero number.");
        if (!float.IsFinite(offset)) throw new ArgumentOutOfRangeException(nameof(offset), offset, "offset must be a finite number.");
        if (mean is not null || std is not null)
        {
            if (mean is null || std is null || mean.Length == 0 || mean.Length != std.Length)
                throw new ArgumentException($"mean and std must list one value per channel, as many of each; got {mean?.Length ?? 0} and {std?.Length ?? 0}.", nameof(mean));
            if (mean.Any(m => !float.IsFinite(m))) throw new ArgumentException("mean must hold finite numbers.", nameof(mean));
            if (std.Any(s => !(s > 0) || !float.IsFinite(s))) throw new ArgumentException("std must hold positive finite numbers.", nameof(std));
        }
        Scale = scale;
        Offset = offset;
        _mean = mean;
        _std = std;
    }

    /// <summary>The model receives exactly what the caller passes.</summary>
    public static InputScaling None { get; } = new(1f, 0f, null, null);

    /// <summary>The caller passes pixels in [0, 1]; the model expects raw pixels 0–255 (multiplied by 255).</summary>
    public static InputScaling UnitToPixels { get; } = new(255f, 0f, null, null);

    /// <summary>The caller passes raw pixels 0–255; the model expects [0, 1] (divided by 255).</summary>
    public static InputScaling PixelsToUnit { get; } = new(1f / 255f, 0f, null, null);

    /// <summary>The model receives <c>x · scale + offset</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is zero or not finite, or <paramref name="offset"/> is not finite.</exception>
    public static InputScaling Affine(float scale, float offset = 0f) => new(scale, offset, null, null);

    /// <summary>
    /// The model receives <c>(x · scale − mean[c]) / std[c]</c> for channel c (dimension 1 of the batch), the
    /// normalisation of torchvision's <c>Normalize</c> (e.g. mean 0.1307, std 0.3081 for MNIST models trained on
    /// pixels/255 and normalised).
    /// </summary>
    /// <exception cref="ArgumentException">The lists are empty, of different lengths, or hold non-finite values or a non-positive std.</exception>
    public static InputScaling Normalize(IReadOnlyList<float> mean, IReadOnlyList<float> std, float scale = 1f)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        return new(scale, 0f, mean.ToArray(), std.ToArray());
    }

    /// <summary>The factor applied first.</summary>
    public float Scale { get; }

    /// <summary>The offset added after <see cref="Scale"/>.</summary>
    public float Offset { get; }

    /// <summary>The per-channel mean subtracted, or null.</summary>
    public IReadOnlyList<float>? Mean => _mean;

    /// <summary>The per-channel standard deviation divided by, or null.</summary>
    public IReadOnlyList<float>? Std => _std;

    /// <summary>True when the model receives the caller's values unchanged.</summary>
    public bool IsIdentity => Scale == 1f && Offset == 0f && _mean is null;

    /// <summary>The number of channels the scaling is for, or null when it applies to every channel alike.</summary>
    public int? Channels => _mean?.Length;

    /// <summary>The model's input for float32 inputs [N, C, ...]: a new tensor.</summary>
    internal Tensor Apply(Tensor x)
    {
        if (_mean is null) return x * Scale + Offset;
        // One per-channel affine map: (x·s + o − m) / σ = x·(s/σ) + (o − m)/σ.
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[1] = _mean.Length;
        using var a = tensor(_std!.Select(s => Scale / s).ToArray(), device: x.device).reshape(shape);
        using var b = tensor(_mean.Select((m, c) => (Offset - m) / _std![c]).ToArray(), device: x.device).reshape(shape);
        using var scaled = x * a;
        return scaled + b;
    }

    /// <inheritdoc />
    public override string ToString() => _mean is null
        ? IsIdentity ? "none" : $"x * {Scale:G6} + {Offset:G6}"
        : $"(x * {Scale:G6} + {Offset:G6} - mean[{string.Join(", ", _mean.Select(m => m.ToString("G6")))}]) / std[{string.Join(", ", _std!.Select(s => s.ToString("G6")))}]";
}
