namespace NeuralShield.Reports;

/// <summary>One field of a tabular record an evasion attack changed, as the record reads (a number in the file's units or a category).</summary>
/// <param name="Column">The column's name.</param>
/// <param name="From">The clean record's value.</param>
/// <param name="To">The adversarial record's value.</param>
public sealed record FieldChange(string Column, string From, string To);
