using NeuralShield.Attacks;

namespace NeuralShield.Reports;

/// <summary>A model in an audit report.</summary>
/// <param name="Name">Its name in the report.</param>
/// <param name="Access">The access the audit had to it.</param>
/// <param name="CleanAccuracy">Accuracy on the audit's test data.</param>
/// <param name="TestSamples">Test samples the accuracy was measured on.</param>
public sealed record ModelRecord(string Name, ModelAccess Access, double CleanAccuracy, int TestSamples);
