using System.Text.Json;

namespace NeuralShield.Cli.Tests;

public class BenchTests
{
    [Fact]
    public void BenchAllQuickWritesJsonAndMarkdownForEveryLoop()
    {
        using var folder = new TempFolder();
        var json = Path.Combine(folder.Path, "bench.json");
        var markdown = Path.Combine(folder.Path, "bench.md");

        var (code, output, errors) = InProcess.Run("bench", "--all", "--quick", "--repetitions", "1", "--warmup", "0", "--threads", "1", "--json", json, "--markdown", markdown);

        Assert.True(code == 0, string.Join("\n", errors));
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(NeuralShield.Workloads.WorkloadCatalog.Names, results.Select(r => r.GetProperty("name").GetString()));
        Assert.All(results, r =>
        {
            Assert.True(r.GetProperty("library_median_ms").GetDouble() > 0);
            Assert.True(r.GetProperty("bare_median_ms").GetDouble() > 0);
            Assert.True(r.GetProperty("ratio").GetDouble() > 0);
        });
        Assert.Equal("quick", document.RootElement.GetProperty("sizes").GetString());
        var table = File.ReadAllLines(markdown);
        Assert.Contains("| loop | what | steps | bare TorchSharp (ms) | NeuralShield (ms) | ratio |", table);
        Assert.Equal(NeuralShield.Workloads.WorkloadCatalog.Names.Count, table.Count(l => l.StartsWith("| `", StringComparison.Ordinal)));
        Assert.Contains("pgd-40", output);
    }

    [Fact]
    public void BenchWithoutANameOrAllIsAUserError()
    {
        var (code, _, errors) = InProcess.Run("bench");
        Assert.Equal(1, code);
        Assert.Contains(errors, e => e.Contains("--all", StringComparison.Ordinal));
    }
}
