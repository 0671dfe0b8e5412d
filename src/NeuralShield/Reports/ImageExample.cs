namespace NeuralShield.Reports;

/// <summary>
/// One image of a report: its pixels (row-major, in the model's bounds), the class the model gave it with its
/// confidence, and for an adversarial example the clean image it came from.
/// </summary>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns (features of a non-image sample are laid out on one row).</param>
/// <param name="Pixels">The image, <c>Height × Width</c> values (first channel).</param>
/// <param name="TrueLabel">The sample's label (the target class for a fooling input).</param>
/// <param name="Predicted">The class the model gave it.</param>
/// <param name="Confidence">The model's probability for <paramref name="Predicted"/>.</param>
/// <param name="CleanPixels">The clean image of an adversarial example; null otherwise.</param>
/// <param name="CleanPredicted">The class the model gave the clean image.</param>
/// <param name="CleanConfidence">Its probability for that class.</param>
public sealed record ImageExample(int Height, int Width, IReadOnlyList<float> Pixels, int TrueLabel, int Predicted, double Confidence,
    IReadOnlyList<float>? CleanPixels = null, int? CleanPredicted = null, double? CleanConfidence = null);
