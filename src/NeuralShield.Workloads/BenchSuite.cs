using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Workloads;

/// <summary>One loop's measurement: the library's and the bare times of every repetition, in milliseconds.</summary>
internal sealed record BenchResult(string Name, string What, int Steps, IReadOnlyList<double> LibraryMs, IReadOnlyList<double> BareMs)
{
    /// <summary>Median of the library's times.</summary>
    public double LibraryMedianMs => BenchSuite.Median(LibraryMs);

    /// <summary>Median of the bare times.</summary>
    public double BareMedianMs => BenchSuite.Median(BareMs);

    /// <summary>Library / bare, of the medians.</summary>
    public double Ratio => LibraryMedianMs / BareMedianMs;
}

/// <summary>What a <c>bench</c> run measured, and where.</summary>
internal sealed record BenchReport(string Date, string Device, int Threads, int InteropThreads, string Machine, string Sizes, int Warmup, int Repetitions, IReadOnlyList<BenchResult> Results);

/// <summary>
/// The quick pass of <c>neuralshield bench</c>: for each loop of <see cref="WorkloadCatalog"/>, warm-up runs of both sides,
/// then repetitions that alternate which side runs first, each timed with a <see cref="Stopwatch"/>; the medians and
/// their ratio are reported. For machines without the .NET SDK; BenchmarkDotNet (benchmarks/NeuralShield.Benchmarks)
/// measures the same loops more carefully.
/// </summary>
internal static class BenchSuite
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Measures <paramref name="names"/> on <paramref name="device"/>, logging one line per loop.</summary>
    public static BenchReport Run(IReadOnlyList<string> names, Device device, BenchSizes sizes, int warmup, int repetitions, int threads, TextWriter log, CancellationToken cancellationToken)
    {
        var results = new List<BenchResult>();
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var workload = WorkloadCatalog.Create(name, device, sizes);
            for (var i = 0; i < warmup; i++)
            {
                workload.Library();
                workload.Bare();
            }
            var library = new List<double>();
            var bare = new List<double>();
            for (var r = 0; r < repetitions; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (r % 2 == 0)
                {
                    library.Add(Time(workload.Library));
                    bare.Add(Time(workload.Bare));
                }
                else
                {
                    bare.Add(Time(workload.Bare));
                    library.Add(Time(workload.Library));
                }
            }
            var result = new BenchResult(name, workload.What, workload.Steps, library, bare);
            results.Add(result);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: NeuralShield {result.LibraryMedianMs:F1} ms, bare TorchSharp {result.BareMedianMs:F1} ms, ratio {result.Ratio:F2} ({workload.What})"));
        }
        return new BenchReport(DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), device.type.ToString().ToLowerInvariant(), threads,
            get_num_interop_threads(), Machine(), sizes == BenchSizes.Quick ? "quick" : "full", warmup, repetitions, results);
    }

    /// <summary>The report as JSON (snake_case).</summary>
    public static string ToJson(BenchReport report) => JsonSerializer.Serialize(report, Json);

    /// <summary>The report as a Markdown table.</summary>
    public static string ToMarkdown(BenchReport report)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"NeuralShield against bare TorchSharp, {report.Date}, device {report.Device}, {report.Threads} intra-op thread(s), {report.InteropThreads} inter-op; {report.Machine}; sizes {report.Sizes}, {report.Warmup} warm-up, median of {report.Repetitions} interleaved repetitions.");
        s.AppendLine();
        s.AppendLine("| loop | what | steps | bare TorchSharp (ms) | NeuralShield (ms) | ratio |");
        s.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in report.Results)
            s.AppendLine(CultureInfo.InvariantCulture, $"| `{r.Name}` | {r.What} | {r.Steps} | {r.BareMedianMs:F1} | {r.LibraryMedianMs:F1} | {r.Ratio:F2} |");
        return s.ToString();
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static string Machine() =>
        $"{RuntimeInformation.OSDescription.Trim()}, {Environment.ProcessorCount} logical processors, .NET {Environment.Version}";
}
