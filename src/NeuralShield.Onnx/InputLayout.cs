namespace NeuralShield.Onnx;

/// <summary>
/// How a model takes one sample, relative to the data's own layout (channels first for images, [N, C, H, W]; rows of
/// features for tabular data).
/// </summary>
public enum InputLayout
{
    /// <summary>Read from the model's declared input shape: the data's layout when it fits, else channels last, else flat.</summary>
    Auto,

    /// <summary>Channels first, as the data: [N, C, H, W] (or [N, features]).</summary>
    Nchw,

    /// <summary>Channels last: the data's [N, C, H, W] permuted to [N, H, W, C].</summary>
    Nhwc,

    /// <summary>Flat: every sample as one row, [N, C·H·W].</summary>
    Flat,
}
