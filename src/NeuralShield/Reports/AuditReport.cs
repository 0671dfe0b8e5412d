namespace NeuralShield.Reports;

/// <summary>The result of an audit: when, on what data, the models, and one <see cref="AttackRecord"/> per attack and model.</summary>
/// <param name="Created">When the audit ran.</param>
/// <param name="Dataset">The data the models were audited on.</param>
/// <param name="Device">The device the audit ran on.</param>
/// <param name="Seed">The seed of every stochastic component.</param>
/// <param name="Models">The audited models.</param>
/// <param name="Results">The attack runs.</param>
public sealed record AuditReport(DateTimeOffset Created, string Dataset, string Device, long Seed, IReadOnlyList<ModelRecord> Models, IReadOnlyList<AttackRecord> Results)
{
    /// <summary>The report as JSON (<see cref="ReportJson"/>).</summary>
    public string ToJson() => ReportJson.Serialize(this);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    public static AuditReport FromJson(string json) => ReportJson.Deserialize<AuditReport>(json);
}
