using System.Text.Json;
using NeuralShield.Reports;

namespace NeuralShield.Tests.Reports;

/// <summary>The audit's additions to the result schema (key, defense, paper, images, ROC, transfer matrix, poisoning) survive JSON.</summary>
public class AuditReportJsonTests
{
    [Fact]
    public void TheAuditFieldsRoundTrip()
    {
        var report = AuditReportSamples.Full();
        var back = AuditReport.FromJson(report.ToJson());
        Assert.Equal(report.Results.Select(r => r.Key), back.Results.Select(r => r.Key));
        Assert.Equal(report.Results.Select(r => r.Defense), back.Results.Select(r => r.Defense));
        Assert.Equal(report.Results.Select(r => r.PaperResult), back.Results.Select(r => r.PaperResult));
        Assert.Equal(report.Results.Select(r => r.Poisoning), back.Results.Select(r => r.Poisoning));
        Assert.Equal(report.Results[2].Roc, back.Results[2].Roc);
        Assert.Equal(report.Results[5].TransferMatrix, back.Results[5].TransferMatrix);
        var (example, read) = (report.Results[0].Examples![1], back.Results[0].Examples![1]);
        Assert.Equal(example.Pixels, read.Pixels);
        Assert.Equal(example.CleanPixels, read.CleanPixels);
        Assert.Equal((example.TrueLabel, example.Predicted, example.CleanPredicted), (read.TrueLabel, read.Predicted, read.CleanPredicted));
    }

    [Fact]
    public void RobustAccuracyIsWrittenForUntargetedEvasionOnly()
    {
        using var document = JsonDocument.Parse(AuditReportSamples.Full().ToJson());
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(0.6, results[0].GetProperty("robust_accuracy").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, results[2].GetProperty("robust_accuracy").ValueKind);
        Assert.Equal("Top-1 output", results[3].GetProperty("defense").GetString());
    }
}
