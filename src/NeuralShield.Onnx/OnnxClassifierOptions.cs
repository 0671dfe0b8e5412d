using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Onnx;

/// <summary>Settings of <see cref="OnnxClassifier"/>.</summary>
public sealed class OnnxClassifierOptions : OptionsBase<OnnxClassifierOptions>
{
    /// <summary>
    /// The box of the values callers (and attacks) pass, before <see cref="Scaling"/>. Default [0, 1]. Inputs outside
    /// it are refused.
    /// </summary>
    public InputBounds Bounds { get; set; } = InputBounds.Unit;

    /// <summary>How caller values become model inputs. Default <see cref="InputScaling.None"/>.</summary>
    public InputScaling Scaling { get; set; } = InputScaling.None;

    /// <summary>
    /// How the model takes one sample relative to the data's layout (channels first). Default
    /// <see cref="InputLayout.Auto"/>: <see cref="ModelImport"/> reads it from the model's input shape, and
    /// <see cref="OnnxClassifier"/> passes the inputs as they are.
    /// </summary>
    public InputLayout Layout { get; set; } = InputLayout.Auto;

    /// <summary>Whether the model outputs probabilities or logits. Default <see cref="OnnxOutput.Detect"/>.</summary>
    public OnnxOutput Output { get; set; } = OnnxOutput.Detect;

    /// <summary>
    /// The number of classes the caller expects, checked against the model's output shape. Required when the model does
    /// not declare the size of its class dimension. Null: taken from the model.
    /// </summary>
    public int? ClassCount { get; set; }

    /// <summary>The model input to feed; required when the model has several inputs. Null: its only input.</summary>
    public string? InputName { get; set; }

    /// <summary>The model output to read; required when the model has several outputs. Null: its only output.</summary>
    public string? OutputName { get; set; }

    /// <summary>
    /// ONNX Runtime's intra-op thread count. Default 1, so that a classifier does not compete with TorchSharp's threads or
    /// with other classifiers; 0 lets ONNX Runtime choose (one per core).
    /// </summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>
    /// The most samples sent to the model in one run when its batch dimension is dynamic; larger batches are split and
    /// the answers concatenated. Default 1024. A model with a fixed batch size always gets batches of that size.
    /// </summary>
    public int MaxBatchSize { get; set; } = 1024;

    /// <inheritdoc />
    protected override void Validate()
    {
        InputChecks.Bounds(Bounds, nameof(Bounds));
        ArgumentNullException.ThrowIfNull(Scaling, nameof(Scaling));
        Guard.Defined(Output, nameof(Output));
        Guard.Defined(Layout, nameof(Layout));
        // Dividing values of [0, 1] by 255 feeds a model nearly black images: PixelsToUnit is for callers passing 0–255.
        if (Scaling.Scale <= 1f / 255f && Scaling.Mean is null && Bounds.Upper <= 1f)
            throw new ArgumentException(
                $"Scaling divides by {1 / Scaling.Scale:G4} but Bounds is {Bounds}: the model would receive values of at most {Bounds.Upper * Scaling.Scale:G3}. " +
                "For callers passing raw pixels set Bounds = new InputBounds(0, 255); for a model on [0, 1] use InputScaling.None.", nameof(Scaling));
        if (ClassCount is { } c && c < 2) throw new ArgumentOutOfRangeException(nameof(ClassCount), c, "ClassCount must be at least 2.");
        if (InputName is not null) ArgumentException.ThrowIfNullOrWhiteSpace(InputName, nameof(InputName));
        if (OutputName is not null) ArgumentException.ThrowIfNullOrWhiteSpace(OutputName, nameof(OutputName));
        Guard.NonNegative(IntraOpThreads, nameof(IntraOpThreads));
        Guard.Positive(MaxBatchSize, nameof(MaxBatchSize));
    }
}
