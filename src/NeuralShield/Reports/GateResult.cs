namespace NeuralShield.Reports;

/// <summary>The outcome of one gate.</summary>
/// <param name="Gate">The gate.</param>
/// <param name="Value">The metric's value (null when no run gives it).</param>
/// <param name="Passed">Whether the gate holds.</param>
/// <param name="Detail">A line: the value against the bound, or why there is none.</param>
public sealed record GateResult(AuditGate Gate, double? Value, bool Passed, string Detail);
