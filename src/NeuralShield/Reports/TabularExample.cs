namespace NeuralShield.Reports;

/// <summary>A tabular adversarial example as a report shows it: the fields that changed and the classes before and after.</summary>
/// <param name="TrueLabel">The record's label.</param>
/// <param name="CleanPredicted">The class the model gave the clean record.</param>
/// <param name="Predicted">The class it gave the valid adversarial record.</param>
/// <param name="Changes">The changed fields, in column order.</param>
public sealed record TabularExample(int TrueLabel, int CleanPredicted, int Predicted, IReadOnlyList<FieldChange> Changes);
