namespace NeuralShield.Attacks.Extraction;

/// <summary>The gradient-masking verdict on one model of a transfer matrix.</summary>
/// <param name="Model">The model (column).</param>
/// <param name="WhiteBoxSuccess">The white-box attack's success on it (the diagonal); NaN for a black-box model.</param>
/// <param name="BestOtherSuccess">The best success on it of any other row (transferred or black-box).</param>
/// <param name="BestOtherSource">The row that reached <paramref name="BestOtherSuccess"/>.</param>
/// <param name="Flagged">Whether that row beats the white-box attack by more than the margin: the white-box gradient is masked, not the model robust.</param>
public readonly record struct GradientMaskingFlag(string Model, double WhiteBoxSuccess, double BestOtherSuccess, string BestOtherSource, bool Flagged);
