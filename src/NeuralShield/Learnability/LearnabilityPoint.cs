namespace NeuralShield.Learnability;

/// <summary>The network trained on one number of pairs, measured on the held-out pairs.</summary>
/// <param name="TrainSamples">Training pairs.</param>
/// <param name="Accuracy">
/// Share of held-out output entries predicted right (top-k for multi-class outputs), with its Clopper–Pearson interval
/// over the held-out entries (for outputs wider than one entry the entries of a pair are not independent: the interval is then optimistic).
/// </param>
/// <param name="ExactMatch">Share of held-out pairs with every output entry right (equals Accuracy for one-entry outputs).</param>
/// <param name="TrainAccuracy">The same share on the training pairs (a network that memorises shows it here).</param>
/// <param name="AboveChance">Whether the whole interval lies above the chance rate.</param>
/// <param name="Seconds">Training and evaluation time.</param>
public sealed record LearnabilityPoint(int TrainSamples, EstimateInterval Accuracy, double ExactMatch, double TrainAccuracy, bool AboveChance, double Seconds);
