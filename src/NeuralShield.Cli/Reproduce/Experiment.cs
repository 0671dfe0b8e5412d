using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace NeuralShield.Cli.Reproduce;

/// <summary>What every reproduction receives from the command line.</summary>
/// <param name="DataDirectory">MNIST-layout folder (train-first10k-* or train-*, and t10k-*).</param>
/// <param name="Samples">Number of test images to attack (null: the experiment's default).</param>
/// <param name="Seed">Seed of training and of the attacks.</param>
/// <param name="Device">Where tensors live.</param>
/// <param name="CacheDirectory">Where trained models are cached (by experiment, model and seed).</param>
/// <param name="Log">Progress output.</param>
/// <param name="Epochs">Training epochs of the models a defense reproduction trains (null: the experiment's).</param>
/// <param name="TrainSteps">PGD steps of adversarial training (null: the experiment's).</param>
/// <param name="Lambda">Saturation penalty weight λ (null: the experiment's).</param>
public sealed record ExperimentContext(string DataDirectory, int? Samples, long Seed, Device Device, string CacheDirectory, TextWriter Log,
    int? Epochs = null, int? TrainSteps = null, double? Lambda = null);

/// <summary>A paper reproduction: trains the paper's kind of model, runs the experiment, returns measured and published numbers.</summary>
public interface IExperiment
{
    /// <summary>The name on the command line (e.g. "fgsm").</summary>
    string Name { get; }

    /// <summary>One line: paper and setting.</summary>
    string Description { get; }

    /// <summary>Runs the experiment.</summary>
    ExperimentReport Run(ExperimentContext context, CancellationToken cancellationToken);
}

/// <summary>
/// The outcome of a reproduction, written as JSON
/// <c>{"experiment": ..., "setting": {...}, "metrics": {...}, "paper": {...}}</c>.
/// </summary>
public sealed class ExperimentReport(string experiment)
{
    /// <summary>The experiment name.</summary>
    public string Experiment { get; } = experiment;

    /// <summary>Settings that produced the numbers (model, epochs, ε, samples, seed, device...).</summary>
    public Dictionary<string, object> Setting { get; } = new();

    /// <summary>Measured numbers, by the keys the issue names.</summary>
    public Dictionary<string, double> Metrics { get; } = new();

    /// <summary>The paper's published numbers for the same keys, where it gives them.</summary>
    public Dictionary<string, object> Paper { get; } = new();

    /// <summary>The JSON document.</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["experiment"] = Experiment,
            ["setting"] = ToNode(Setting),
            ["metrics"] = new JsonObject(Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(double.IsFinite(kv.Value) ? kv.Value : (double?)null)))),
            ["paper"] = ToNode(Paper),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
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
        return string.Join(Environment.NewLine, lines);
    }

    private static string Format(double v) => double.IsFinite(v) ? v.ToString(Math.Abs(v) >= 100 ? "F1" : "F4", CultureInfo.InvariantCulture) : "n/a";

    private static JsonObject ToNode(Dictionary<string, object> values) =>
        new(values.Select(kv => KeyValuePair.Create(kv.Key, JsonSerializer.SerializeToNode(kv.Value))));
}
