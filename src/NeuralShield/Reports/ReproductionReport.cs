using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuralShield.Reports;

/// <summary>
/// The outcome of a paper reproduction, written as JSON
/// <c>{"experiment": ..., "setting": {...}, "metrics": {...}, "paper": {...}, "records": [...]}</c>: the settings that
/// produced the numbers, the measured numbers by key, the paper's published numbers for the same keys where it gives
/// them, and the attack runs behind them in the audit's result schema (<see cref="AttackRecord"/>), so that a
/// reproduction's runs read as audit rows at the paper's scale.
/// </summary>
internal sealed class ReproductionReport
{
    /// <summary>Creates an empty report for <paramref name="experiment"/>.</summary>
    public ReproductionReport(string experiment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experiment);
        Experiment = experiment;
    }

    /// <summary>The experiment name.</summary>
    public string Experiment { get; }

    /// <summary>Settings that produced the numbers (model, epochs, ε, samples, seed, device...).</summary>
    public Dictionary<string, object> Setting { get; } = new();

    /// <summary>Measured numbers, by key.</summary>
    public Dictionary<string, double> Metrics { get; } = new();

    /// <summary>The paper's published numbers for the same keys, where it gives them (and its source).</summary>
    public Dictionary<string, object> Paper { get; } = new();

    /// <summary>
    /// The attack runs behind the metrics, each as the audit would record it: model, attack, setting, goal, the family's
    /// metrics, the defense and whether the attacker knew it, the paper's number.
    /// </summary>
    public List<AttackRecord> Records { get; } = new();

    /// <summary>Plots the reproduction asks its caller to draw (the CLI writes each as an SVG file); not part of the JSON.</summary>
    public List<ReproductionPlot> Plots { get; } = new();

    /// <summary>The JSON document (non-finite numbers as null).</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["experiment"] = Experiment,
            ["setting"] = ToNode(Setting),
            ["metrics"] = new JsonObject(Metrics.Select(kv => KeyValuePair.Create(kv.Key, JsonSerializer.SerializeToNode(kv.Value, ReportJson.Options)))),
            ["paper"] = ToNode(Paper),
            ["records"] = JsonSerializer.SerializeToNode(Records, ReportJson.Options),
        };
        return root.ToJsonString(ReportJson.Options);
    }

    /// <summary>A plain-text table: each metric next to the paper's number.</summary>
    public string ToTable()
    {
        var rows = new List<string[]> { new[] { "metric", "measured", "paper" } };
        foreach (var (key, value) in Metrics)
            rows.Add([key, Format(value), Paper.TryGetValue(key, out var p) ? Convert.ToString(p, CultureInfo.InvariantCulture) ?? "" : ""]);
        var widths = Enumerable.Range(0, 3).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var lines = new List<string> { $"{Experiment}: " + string.Join(", ", Setting.Select(kv => $"{kv.Key}={Convert.ToString(kv.Value, CultureInfo.InvariantCulture)}")) };
        foreach (var r in rows) lines.Add(string.Join("  ", r.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
        foreach (var record in Records)
            lines.Add($"record: {record.Model} | {record.Attack.Name}{(record.Defense is { } d ? $" through {d}" : "")} | {record.Goal ?? "-"} | "
                + $"{Format(record.Headline)}{(record.PaperResult is { } paper ? $" (paper: {paper})" : "")}");
        return string.Join(Environment.NewLine, lines);
    }

    private static string Format(double v) => double.IsFinite(v) ? v.ToString(Math.Abs(v) >= 100 ? "F1" : "F4", CultureInfo.InvariantCulture) : "n/a";

    private static JsonObject ToNode(Dictionary<string, object> values) =>
        new(values.Select(kv => KeyValuePair.Create(kv.Key, JsonSerializer.SerializeToNode(kv.Value, ReportJson.Options))));
}
