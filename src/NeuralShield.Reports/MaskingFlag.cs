namespace NeuralShield.Reports;

/// <summary>
/// A sign of gradient masking on one model at one ε: PGD L∞ (<see cref="PgdKey"/>) reports a robust accuracy more than
/// <see cref="ThreatVerdicts.MaskingGap"/> above the strongest of the other L∞ attacks at the same ε (APGD-CE, APGD-T,
/// Square; <see cref="StrongestKey"/>), so PGD alone overstates the model's robustness (Croce and Hein 2020 read such
/// a gap, and a gradient-free attack beating the gradient ones, as masking).
/// </summary>
/// <param name="Model">The audited model.</param>
/// <param name="Epsilon">The L∞ radius, as the entry keys give it.</param>
/// <param name="PgdKey">The PGD entry.</param>
/// <param name="PgdRobustAccuracy">PGD's robust accuracy.</param>
/// <param name="StrongestKey">The entry with the lowest robust accuracy at this ε.</param>
/// <param name="StrongestRobustAccuracy">Its robust accuracy.</param>
public sealed record MaskingFlag(string Model, string Epsilon, string PgdKey, double PgdRobustAccuracy, string StrongestKey, double StrongestRobustAccuracy)
{
    /// <summary>PGD's robust accuracy minus the strongest attack's.</summary>
    public double Gap => PgdRobustAccuracy - StrongestRobustAccuracy;
}
