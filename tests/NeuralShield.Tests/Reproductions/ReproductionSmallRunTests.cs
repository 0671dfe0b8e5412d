using System.Diagnostics;
using System.Text.Json.Nodes;
using NeuralShield.Reports;
using NeuralShield.Reproductions;
using TorchSharp;
using Xunit.Abstractions;

namespace NeuralShield.Tests.Reproductions;

/// <summary>
/// Every reproduction of <see cref="ReproductionCatalog"/> run at a small size (<see cref="SmallReproductionSettings"/>): its
/// JSON keys equal the committed list in keys/NAME.txt (the keys the full-size run writes; size-dependent keys are
/// named by <see cref="SmallSetting.SizeDependent"/> and left out), and its numbers pass a sanity bound
/// that a wrong implementation would miss.
/// </summary>
public sealed class ReproductionSmallRunTests(ReproductionCacheFixture cache, ITestOutputHelper output) : IClassFixture<ReproductionCacheFixture>
{
    /// <summary>Set to a folder to have each run write its report and key list there (to refresh keys/ after a deliberate change).</summary>
    private const string KeysOutVariable = "NEURALSHIELD_REPRODUCTION_KEYS_OUT";

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in ReproductionCatalog.All.Keys.Where(n => !SmallReproductionSettings.Heavy.Contains(n))) data.Add(name);
        return data;
    }

    public static TheoryData<string> HeavyNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in ReproductionCatalog.All.Keys.Where(SmallReproductionSettings.Heavy.Contains)) data.Add(name);
        return data;
    }

    [Fact]
    public void Every_reproduction_has_a_small_setting_and_a_key_list()
    {
        var missingSetting = ReproductionCatalog.All.Keys.Where(n => !SmallReproductionSettings.All.ContainsKey(n)).ToList();
        Assert.True(missingSetting.Count == 0, "no small setting for: " + string.Join(", ", missingSetting));
        var unknown = SmallReproductionSettings.All.Keys.Where(n => !ReproductionCatalog.All.ContainsKey(n)).ToList();
        Assert.True(unknown.Count == 0, "small settings for reproductions not in the catalog: " + string.Join(", ", unknown));
        var missingKeys = ReproductionCatalog.All.Keys.Where(n => !File.Exists(KeyFile(n))).ToList();
        Assert.True(missingKeys.Count == 0, "no keys/NAME.txt for: " + string.Join(", ", missingKeys));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Runs_small_with_its_keys_and_within_its_bound(string name) => RunAndCheck(name);

    /// <summary>The reproductions too slow for the quick set at any size that still trains what they measure: run at an even smaller setting.</summary>
    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(HeavyNames))]
    public void Runs_smaller_with_its_keys_and_within_its_bound(string name) => RunAndCheck(name);

    private void RunAndCheck(string name)
    {
        var reproduction = ReproductionCatalog.All[name];
        var setting = SmallReproductionSettings.All[name];
        var threads = torch.get_num_threads();
        torch.set_num_threads(1);
        var log = new StringWriter();
        var watch = Stopwatch.StartNew();
        ReproductionReport report;
        var context = setting.Apply(new ReproductionContext(DataDirectory(reproduction.Data), Samples: null, Seed: 0, Device: torch.CPU,
            CacheDirectory: cache.Directory, Log: log));
        try
        {
            report = reproduction.Run(context, CancellationToken.None);
        }
        finally
        {
            torch.set_num_threads(threads);
            output.WriteLine(log.ToString());
        }
        output.WriteLine($"{name}: {watch.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(report.ToTable());

        var json = JsonNode.Parse(report.ToJson())!.AsObject();
        Assert.Equal(["experiment", "setting", "metrics", "paper", "records"], json.Select(kv => kv.Key));
        Assert.Equal(report.Records.Count, json["records"]!.AsArray().Count);
        SmallReproductionRecords.Check(name, report);
        Assert.Equal(name, (string?)json["experiment"]);
        var actual = KeyLines(json).Where(k => !setting.IsSizeDependent(k)).Order(StringComparer.Ordinal).ToList();
        if (Environment.GetEnvironmentVariable(KeysOutVariable) is { Length: > 0 } outDir)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllLines(Path.Combine(outDir, name + ".txt"), actual);
            File.WriteAllText(Path.Combine(outDir, name + ".json"), report.ToJson());
            File.WriteAllText(Path.Combine(outDir, name + ".seconds"), watch.Elapsed.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        }
        var expected = File.ReadAllLines(KeyFile(name)).Where(l => l.Length > 0).ToList();
        Assert.Equal(expected, actual);
        setting.Check(report, context);
    }

    /// <summary>"metrics.KEY" and "paper.KEY" for each key of the report's JSON.</summary>
    private static IEnumerable<string> KeyLines(JsonObject json) =>
        json["metrics"]!.AsObject().Select(kv => "metrics." + kv.Key).Concat(json["paper"]!.AsObject().Select(kv => "paper." + kv.Key));

    private static string KeyFile(string name) => Path.Combine(AppContext.BaseDirectory, "Reproductions", "keys", name + ".txt");

    private static string DataDirectory(ReproductionData data) => data switch
    {
        ReproductionData.Adult => SharedData.Adult,
        ReproductionData.None => Path.GetTempPath(),
        _ => SharedData.Mnist,
    };
}
