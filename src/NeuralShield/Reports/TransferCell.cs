namespace NeuralShield.Reports;

/// <summary>One cell of a transfer matrix: the attack crafted on <paramref name="Source"/>, judged on <paramref name="Target"/>.</summary>
/// <param name="Source">The model the adversarial examples were crafted on.</param>
/// <param name="Target">The model they were judged on.</param>
/// <param name="SuccessRate">Share of samples that met the goal on the target.</param>
public sealed record TransferCell(string Source, string Target, double SuccessRate);
