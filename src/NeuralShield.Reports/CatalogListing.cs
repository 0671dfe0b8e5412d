using NeuralShield.Audit;

namespace NeuralShield.Reports;

/// <summary>What <c>neuralshield audit --list</c> prints: the audit's entries (key, family, attack, access) and the metric names gates take.</summary>
internal static class CatalogListing
{
    /// <summary>The listing of the full catalog (<see cref="AttackCatalog.Full"/>) as an audit of 8×8 images with membership inference builds it.</summary>
    public static string Format() => Format(AttackCatalog.Full(new AuditCatalogOptions
    {
        SampleShape = [64],
        ShadowRecipe = new NeuralShield.Training.ModelRecipe { Architecture = seed => NeuralShield.Models.ModelZoo.Create("mlp", [64], 10, seed) },
    }));

    /// <summary>A table of <paramref name="entries"/> fitting 120 columns, then the families and the gate metrics.</summary>
    public static string Format(IReadOnlyList<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var rows = new List<string[]> { new[] { "key", "family", "attack", "needs" } };
        rows.AddRange(entries.Select(e => new[] { e.Key, e.Family.ToString().ToLowerInvariant(), e.Attack.Descriptor.Name, e.Attack.Descriptor.Access.ToString().ToLowerInvariant() }));
        var lines = new List<string>
        {
            ReportTable.FormatRows(rows),
            "",
            "families (--attacks): " + string.Join(", ", Enum.GetNames<AuditFamily>().Select(n => n.ToLowerInvariant())),
            "on request (in no default or family selection; --attacks all, their key or a prefix runs them):",
            "  " + string.Join(", ", entries.Where(e => e.OnRequest).Select(e => e.Key).DefaultIfEmpty("none")),
            "gate metrics (--fail-under METRIC[@KEY]=BOUND, BOUND in [0, 1]):",
        };
        lines.AddRange(AuditGate.MetricNames.Chunk(4).Select(names => "  " + string.Join(", ", names)));
        return string.Join(Environment.NewLine, lines);
    }
}
