using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

public class SeedSpreadTests
{
    [Fact]
    public void MeanAndRangeOfTheKeysEverySeedHolds()
    {
        IReadOnlyDictionary<string, double>[] seeds =
        [
            new Dictionary<string, double> { ["a.recall"] = 1.0, ["a.precision"] = 0.5, ["only.first"] = 3 },
            new Dictionary<string, double> { ["a.recall"] = 0.5, ["a.precision"] = 0.25 },
            new Dictionary<string, double> { ["a.recall"] = 0.0, ["a.precision"] = double.NaN },
        ];
        var summary = SeedSpread.Of(seeds);
        // a.recall: (1 + 0.5 + 0) / 3 = 0.5, range 0–1; a.precision has a NaN; only.first is missing from two seeds.
        Assert.Equal(0.5, summary["a.recall.mean"], 12);
        Assert.Equal(0.0, summary["a.recall.min"]);
        Assert.Equal(1.0, summary["a.recall.max"]);
        Assert.True(double.IsNaN(summary["a.precision.mean"]));
        Assert.False(summary.ContainsKey("only.first.mean"));
        Assert.Equal(["a.recall.max", "a.recall.mean", "a.recall.min"], SeedSpread.Of(seeds, k => k.EndsWith(".recall")).Keys);
        Assert.Throws<ArgumentException>(() => SeedSpread.Of([]));
    }
}
