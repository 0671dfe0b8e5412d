namespace NeuralShield.Metrics;

/// <summary>Summary numbers of one extraction run followed by a transfer attack from the extracted substitute.</summary>
/// <param name="SeedCount">Attacker inputs the extraction started from.</param>
/// <param name="OracleQueries">Samples sent to the target (never more than the budget).</param>
/// <param name="QueryBudget">The budget the extraction ran under.</param>
/// <param name="SampleCount">Test samples the substitute and the transfer were measured on.</param>
/// <param name="SubstituteAccuracy">The substitute's accuracy on the test samples' true labels.</param>
/// <param name="SubstituteAgreement">Share of test samples on which the substitute predicts what the target predicts.</param>
/// <param name="TransferSuccessRate">Share of test samples the target misclassifies after the attack crafted on the substitute.</param>
/// <param name="Elapsed">Wall-clock time of the extraction and the transfer.</param>
public readonly record struct ExtractionMetrics(
    int SeedCount, long OracleQueries, long QueryBudget, int SampleCount, double SubstituteAccuracy, double SubstituteAgreement,
    double TransferSuccessRate, TimeSpan Elapsed);
