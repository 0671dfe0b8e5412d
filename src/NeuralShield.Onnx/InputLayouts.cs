using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>Turning the data's samples into a model's layout, and choosing the layout that fits a model's declared shape.</summary>
internal static class InputLayouts
{
    /// <summary>Data [N, C, ...] in <paramref name="layout"/>.</summary>
    public static Tensor Apply(Tensor x, InputLayout layout) => layout switch
    {
        InputLayout.Nhwc when x.dim() >= 3 => x.permute([0, .. Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i), 1]),
        InputLayout.Flat when x.dim() != 2 => x.reshape(x.shape[0], -1),
        _ => x,
    };

    /// <summary>One data sample's shape in <paramref name="layout"/>.</summary>
    public static long[] Sample(IReadOnlyList<long> data, InputLayout layout) => layout switch
    {
        InputLayout.Nhwc when data.Count >= 2 => [.. data.Skip(1), data[0]],
        InputLayout.Flat => [data.Aggregate(1L, (a, b) => a * b)],
        _ => data.ToArray(),
    };

    /// <summary>Whether samples of shape <paramref name="sample"/> fit <paramref name="model"/> (−1 dynamic; empty: unknown).</summary>
    public static bool Fits(long[] sample, long[] model) =>
        model.Length == 0 || model.Length == sample.Length && model.Zip(sample).All(p => p.First <= 0 || p.First == p.Second);

    /// <summary>
    /// <paramref name="requested"/> when the data's samples fit the model's declared sample shape in it; for
    /// <see cref="InputLayout.Auto"/> the first of NCHW, NHWC and flat that fits.
    /// </summary>
    /// <exception cref="ArgumentException">No layout fits (the message gives both shapes and what would be needed).</exception>
    public static InputLayout Resolve(InputLayout requested, IReadOnlyList<long> data, long[] modelSample, string source, string inputName)
    {
        var candidates = requested == InputLayout.Auto ? [InputLayout.Nchw, InputLayout.Nhwc, InputLayout.Flat] : new[] { requested };
        foreach (var layout in candidates)
            if (Fits(Sample(data, layout), modelSample))
                return layout;
        var shown = $"[{string.Join(", ", modelSample.Select(d => d <= 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
        var given = $"[{string.Join(", ", data)}]";
        throw new ArgumentException(
            requested == InputLayout.Auto
                ? $"The model {source} takes samples of shape {shown} (input '{inputName}'), which the data's samples {given} fit in no layout (NCHW, NHWC or flat): the model was made for other data."
                : $"The model {source} takes samples of shape {shown} (input '{inputName}'), which the data's samples {given} do not fit in layout {requested} ({Format(Sample(data, requested))}).",
            "sampleShape");
    }

    private static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";
}
