using NeuralShield.Reports;
using NeuralShield.Reproductions;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Reproductions;

/// <summary><c>--variant seeds</c>: each seed's run under its prefix, the summarised keys' mean and range, the variants passed on.</summary>
public sealed class SeedSweepTests
{
    private static ReproductionContext Context(Dictionary<string, string>? variants) =>
        new("data", null, 0, CPU, "cache", TextWriter.Null, Variants: variants);

    [Fact]
    public void EachSeedRunsWithItsOwnSeedAndVariantsAndTheChosenKeysAreSummarised()
    {
        var seen = new List<(long Seed, IReadOnlyDictionary<string, string>? Variants)>();
        ReproductionReport One(ReproductionContext c)
        {
            seen.Add((c.Seed, c.Variants));
            var r = new ReproductionReport("x");
            r.Metrics["det.recall"] = c.Seed;           // 3, 5, 10: mean 6, min 3, max 10
            r.Metrics["det.other"] = 2.0 * c.Seed;
            r.Setting["wall_seconds"] = 7.0;
            return r;
        }
        var report = SeedSweep.Run(Context(new() { ["seeds"] = "3, 5,10,3", ["export"] = "out", ["k"] = "v" }), "x", One, k => k.EndsWith(".recall", StringComparison.Ordinal))!;

        Assert.Equal([3L, 5, 10], seen.Select(s => s.Seed));
        Assert.All(seen, s => Assert.False(s.Variants!.ContainsKey("seeds")));
        Assert.Equal([Path.Combine("out", "seed3"), Path.Combine("out", "seed5"), Path.Combine("out", "seed10")], seen.Select(s => s.Variants!["export"]));
        Assert.All(seen, s => Assert.Equal("v", s.Variants!["k"]));
        Assert.Equal(5.0, report.Metrics["seed5.det.recall"]);
        Assert.Equal(20.0, report.Metrics["seed10.det.other"]);
        Assert.Equal(6.0, report.Metrics["det.recall.mean"], 12);
        Assert.Equal(3.0, report.Metrics["det.recall.min"]);
        Assert.Equal(10.0, report.Metrics["det.recall.max"]);
        Assert.False(report.Metrics.ContainsKey("det.other.mean"));
        Assert.Equal("3,5,10", report.Setting["seed"]);
        Assert.Equal(7.0, report.Setting["wall_seconds.seed10"]);
    }

    [Fact]
    public void WithoutTheSeedsVariantNothingRunsAndABadListIsRefused()
    {
        var runs = 0;
        ReproductionReport One(ReproductionContext c) { runs++; return new ReproductionReport("x"); }
        Assert.Null(SeedSweep.Run(Context(null), "x", One, _ => true));
        Assert.Null(SeedSweep.Run(Context(new() { ["export"] = "out" }), "x", One, _ => true));
        Assert.Throws<ReproductionSettingException>(() => SeedSweep.Run(Context(new() { ["seeds"] = "1,two" }), "x", One, _ => true));
        Assert.Throws<ReproductionSettingException>(() => SeedSweep.Run(Context(new() { ["seeds"] = " , " }), "x", One, _ => true));
        Assert.Equal(0, runs);
    }
}
