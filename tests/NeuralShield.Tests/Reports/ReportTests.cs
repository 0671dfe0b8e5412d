using System.Text.Json;
using NeuralShield.Attacks;
using NeuralShield.Metrics;
using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

/// <summary>
/// The report JSON form (<see cref="ReportJson"/>): non-finite numbers as null, durations in seconds, enums as
/// snake_case strings; audit reports round-trip; reproduction reports keep their four keys; tables have a row per result.
/// </summary>
public class ReportTests
{
    private static readonly DateTimeOffset Created = new(2024, 5, 6, 7, 8, 9, 123, TimeSpan.FromHours(2));

    private static AuditReport SampleReport()
    {
        var fgsm = new AttackInfo("FGSM", AttackFamily.Evasion, ModelAccess.WhiteBox, "Goodfellow et al., ICLR 2015");
        var fooling = new AttackInfo("Evolutionary fooling", AttackFamily.Fooling, ModelAccess.Probabilities, null);
        return new AuditReport(Created, "blobs", "cpu", 42,
            [new ModelRecord("mlp", ModelAccess.WhiteBox, 0.875, 40), new ModelRecord("api", ModelAccess.Probabilities, 0.5, 40)],
            [
                new AttackRecord("mlp", fgsm, "eps=0.1", "untargeted",
                    Evasion: new EvasionMetrics(40, 0.25, 3.5, 0.875, 0.125, 0.1, 0.75, 40, TimeSpan.FromSeconds(1.25))),
                new AttackRecord("mlp", fgsm, "eps=0.0", "untargeted",
                    Evasion: new EvasionMetrics(40, 0, double.NaN, double.NaN, double.NaN, double.NaN, 0, 40, TimeSpan.FromSeconds(0.5))),
                new AttackRecord("api", fooling, "(1+10), 3 generations", "every class once",
                    Fooling: new FoolingMetrics(3, 0.5, 0.75, 1.0 / 3, 2.0 / 3, 3, 90, TimeSpan.FromSeconds(2))),
                new AttackRecord("api", fgsm, "eps=0.1", null, Skipped: "needs white-box access (gradients)"),
            ]);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteNumbersAreWrittenAsNull(double value) => Assert.Equal("null", ReportJson.Serialize(value));

    [Fact]
    public void NullIsReadBackAsNaN()
    {
        Assert.True(double.IsNaN(ReportJson.Deserialize<double>("null")));
        Assert.Equal(0.25, ReportJson.Deserialize<double>("0.25"));
        Assert.Equal("0.25", ReportJson.Serialize(0.25));
    }

    [Fact]
    public void DurationsAreSeconds()
    {
        Assert.Equal("1.5", ReportJson.Serialize(TimeSpan.FromSeconds(1.5)));
        Assert.Equal("90", ReportJson.Serialize(TimeSpan.FromMinutes(1.5)));
        Assert.Equal(TimeSpan.FromSeconds(2.25), ReportJson.Deserialize<TimeSpan>("2.25"));
    }

    [Fact]
    public void EnumsAreSnakeCaseStrings()
    {
        Assert.Equal("\"white_box\"", ReportJson.Serialize(ModelAccess.WhiteBox));
        Assert.Equal("\"label_only\"", ReportJson.Serialize(ModelAccess.LabelOnly));
        Assert.Equal("\"training_data\"", ReportJson.Serialize(ModelAccess.TrainingData));
        Assert.Equal("\"evasion\"", ReportJson.Serialize(AttackFamily.Evasion));
        Assert.Equal(ModelAccess.WhiteBox, ReportJson.Deserialize<ModelAccess>("\"white_box\""));
        Assert.Equal(ModelAccess.LabelOnly, ReportJson.Deserialize<ModelAccess>("\"label_only\""));
    }

    [Fact]
    public void PropertyNamesAreSnakeCaseAndMetricsFollowTheRules()
    {
        using var document = JsonDocument.Parse(SampleReport().ToJson());
        var root = document.RootElement;
        Assert.Equal("blobs", root.GetProperty("dataset").GetString());
        Assert.Equal(42, root.GetProperty("seed").GetInt64());
        var models = root.GetProperty("models");
        Assert.Equal("white_box", models[0].GetProperty("access").GetString());
        Assert.Equal(40, models[0].GetProperty("test_samples").GetInt32());
        Assert.Equal(0.875, models[0].GetProperty("clean_accuracy").GetDouble());

        var results = root.GetProperty("results");
        var first = results[0];
        Assert.Equal("evasion", first.GetProperty("attack").GetProperty("family").GetString());
        var evasion = first.GetProperty("evasion");
        Assert.Equal(1.25, evasion.GetProperty("elapsed").GetDouble());
        Assert.Equal(0.25, evasion.GetProperty("success_rate").GetDouble());
        Assert.Equal(0.75, evasion.GetProperty("mean_l0_fraction_all").GetDouble());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("fooling").ValueKind);

        var none = results[1].GetProperty("evasion");
        Assert.Equal(JsonValueKind.Null, none.GetProperty("mean_l2").ValueKind);
        Assert.Equal(0, none.GetProperty("success_rate").GetDouble());
        Assert.Equal("needs white-box access (gradients)", results[3].GetProperty("skipped").GetString());
    }

    [Fact]
    public void AnAuditReportRoundTripsThroughJson()
    {
        var report = SampleReport();
        var back = AuditReport.FromJson(report.ToJson());

        Assert.Equal(report.Created, back.Created);
        Assert.Equal(report.Dataset, back.Dataset);
        Assert.Equal(report.Device, back.Device);
        Assert.Equal(report.Seed, back.Seed);
        Assert.Equal(report.Models, back.Models); // records of scalars: value equality
        Assert.Equal(report.Results.Count, back.Results.Count);
        for (var i = 0; i < report.Results.Count; i++)
        {
            var a = report.Results[i];
            var b = back.Results[i];
            Assert.Equal(a.Model, b.Model);
            Assert.Equal(a.Attack, b.Attack);
            Assert.Equal(a.Setting, b.Setting);
            Assert.Equal(a.Goal, b.Goal);
            Assert.Equal(a.Skipped, b.Skipped);
            Assert.Equal(a.Evasion.HasValue, b.Evasion.HasValue);
            Assert.Equal(a.Fooling.HasValue, b.Fooling.HasValue);
            if (a.Evasion is { } e)
            {
                var f = b.Evasion!.Value;
                Assert.Equal(e.SampleCount, f.SampleCount);
                Assert.Equal(e.SuccessRate, f.SuccessRate);
                Assert.Equal(e.MeanL0, f.MeanL0); // NaN equals NaN for Assert.Equal on doubles
                Assert.Equal(e.MeanL0Fraction, f.MeanL0Fraction);
                Assert.Equal(e.MeanL2, f.MeanL2);
                Assert.Equal(e.MeanLInf, f.MeanLInf);
                Assert.Equal(e.MeanL0FractionAll, f.MeanL0FractionAll);
                Assert.Equal(e.Queries, f.Queries);
                Assert.Equal(e.Elapsed, f.Elapsed);
                Assert.Equal(e, f);
            }
            if (a.Fooling is { } g) Assert.Equal(g, b.Fooling!.Value);
            Assert.Equal(a, b);
        }
        Assert.True(double.IsNaN(back.Results[1].Evasion!.Value.MeanL2));
        Assert.True(double.IsNaN(back.Results[3].Headline));
    }

    [Fact]
    public void AReproductionReportKeepsItsKeysAndWritesNonFiniteMetricsAsNull()
    {
        var report = new ReproductionReport("fgsm-mnist");
        report.Setting["epsilon"] = 0.25;
        report.Setting["model"] = "softmax regression";
        report.Metrics["error_rate"] = 0.897;
        report.Metrics["mean_l2"] = double.NaN;
        report.Metrics["ratio"] = double.PositiveInfinity;
        report.Paper["error_rate"] = 0.899;
        var run = new AttackRecord("softmax regression", new AttackInfo("FGSM", AttackFamily.Evasion, ModelAccess.WhiteBox, null), "eps=0.25", "untargeted",
            Evasion: new EvasionMetrics(10, 0.897, double.NaN, double.NaN, double.NaN, double.NaN, 0.5, 10, TimeSpan.FromSeconds(2))) { PaperResult = "89.9% error" };
        report.Records.Add(run);

        using var document = JsonDocument.Parse(report.ToJson());
        var root = document.RootElement;
        Assert.Equal(["experiment", "setting", "metrics", "paper", "records"], root.EnumerateObject().Select(p => p.Name));
        // The records are the audit's rows, in the audit's JSON form: one reads back as the record written.
        var written = Assert.Single(root.GetProperty("records").EnumerateArray());
        Assert.Equal(0.897, written.GetProperty("evasion").GetProperty("success_rate").GetDouble());
        Assert.Equal(JsonValueKind.Null, written.GetProperty("evasion").GetProperty("mean_l2").ValueKind);
        var read = ReportJson.Deserialize<AttackRecord>(written.GetRawText());
        Assert.Equal(run.Evasion!.Value.SuccessRate, read.Evasion!.Value.SuccessRate);
        Assert.Equal(("FGSM", "89.9% error", "untargeted"), (read.Attack.Name, read.PaperResult, read.Goal));
        Assert.Equal("fgsm-mnist", root.GetProperty("experiment").GetString());
        Assert.Equal(0.25, root.GetProperty("setting").GetProperty("epsilon").GetDouble());
        Assert.Equal("softmax regression", root.GetProperty("setting").GetProperty("model").GetString());
        var metrics = root.GetProperty("metrics");
        Assert.Equal(0.897, metrics.GetProperty("error_rate").GetDouble());
        Assert.Equal(JsonValueKind.Null, metrics.GetProperty("mean_l2").ValueKind);
        Assert.Equal(JsonValueKind.Null, metrics.GetProperty("ratio").ValueKind);
        Assert.Equal(0.899, root.GetProperty("paper").GetProperty("error_rate").GetDouble());
    }

    [Fact]
    public void AReproductionReportWritesANonFiniteSettingOrPaperNumberAsNull()
    {
        var report = new ReproductionReport("x");
        report.Setting["temperature"] = double.NaN;
        report.Paper["bound"] = double.PositiveInfinity;
        using var document = JsonDocument.Parse(report.ToJson());
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("setting").GetProperty("temperature").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("paper").GetProperty("bound").ValueKind);
    }

    [Fact]
    public void TheTableFitsOneHundredTwentyColumnsAndKeepsEveryCellUnderItsHeader()
    {
        var report = SampleReport();
        var lines = ReportTable.Format(report).Split(Environment.NewLine);
        // One line per model, then the header (with a model column: two models), then the runs.
        Assert.Contains("87.5%", lines[0]); // clean accuracy
        Assert.StartsWith("api", lines[1]);
        Assert.StartsWith("model", lines[2]);
        Assert.Contains("result", lines[2]);
        Assert.Contains("25.0%", lines[3]); // success rate
        Assert.Contains("0.125", lines[3]); // mean L2
        Assert.Contains("skipped: needs white-box access (gradients)", string.Join("\n", lines));

        // A result far wider than a terminal wraps inside its column: no line is wider than 120, and every line's result
        // column starts where the header's does.
        var wide = report with { Results = [report.Results[0] with { Skipped = string.Join(" ", Enumerable.Repeat("a-long-reason", 30)) }] };
        lines = ReportTable.Format(wide).Split(Environment.NewLine);
        Assert.All(lines, l => Assert.True(l.Length <= 120, l));
        var column = lines[2].IndexOf("result", StringComparison.Ordinal);
        Assert.True(lines.Length > 5, "the long cell did not wrap");
        Assert.All(lines.Skip(3), l => Assert.Equal(' ', l[column - 1]));
        Assert.All(lines.Skip(4), l => Assert.True(l[..column].Trim().Length == 0 && l[column] != ' ', l));
    }
}
