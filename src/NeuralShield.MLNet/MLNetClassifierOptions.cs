using NeuralShield.Models;

namespace NeuralShield.MLNet;

/// <summary>Settings of <see cref="MLNetClassifier"/>.</summary>
public sealed class MLNetClassifierOptions : OptionsBase<MLNetClassifierOptions>
{
    /// <summary>The box of the feature values callers (and attacks) pass. Default [0, 1]; inputs outside it are refused.</summary>
    public InputBounds Bounds { get; set; } = InputBounds.Unit;

    /// <summary>
    /// The model's input column that takes the features (a float vector of known size). Null: the model's only such
    /// column, or, when it has none, every scalar float input column except <see cref="LabelColumnName"/>, in schema order.
    /// </summary>
    public string? FeatureColumnName { get; set; }

    /// <summary>The label column of the model's input schema: never taken as a feature; filled with its default. Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The number of classes the caller expects, checked against the model's score column. Null: taken from the model.</summary>
    public int? ClassCount { get; set; }

    /// <summary>Seed of the <c>MLContext</c> the model runs in. Default 0.</summary>
    public int Seed { get; set; }

    /// <inheritdoc />
    protected override void Validate()
    {
        InputChecks.Bounds(Bounds, nameof(Bounds));
        if (FeatureColumnName is not null) ArgumentException.ThrowIfNullOrWhiteSpace(FeatureColumnName, nameof(FeatureColumnName));
        ArgumentException.ThrowIfNullOrWhiteSpace(LabelColumnName, nameof(LabelColumnName));
        if (ClassCount is { } c && c < 2) throw new ArgumentOutOfRangeException(nameof(ClassCount), c, "ClassCount must be at least 2.");
    }
}
