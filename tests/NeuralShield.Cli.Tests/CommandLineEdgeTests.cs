using System.Text.Json;
using System.Xml.Linq;
using NeuralShield.Attacks;
using NeuralShield.Metrics;
using NeuralShield.Reports;

namespace NeuralShield.Cli.Tests;

/// <summary>
/// The command line's rough edges: every mistake is refused before any work as one line on standard error, exit code 1,
/// no stack trace and no .NET suffix; listings and help fit a terminal; a model file is recognised by its content;
/// <c>compare</c> and <c>--baseline</c> show the changes between two audits.
/// </summary>
public class CommandLineEdgeTests
{
    private static void AssertOneLineError(int code, string output, string[] errors, string named) =>
        AuditCommandTests.AssertOneLineError(code, output, errors, named);

    [Theory]
    [InlineData("--out", "/proc/nope", "--out")]
    [InlineData("--fail-under", "robust_accuracy@pgd-linf-0.7=0.5", "pgd-linf-0.7")]
    [InlineData("--fail-under", "clean_accuracy=1.5", "[0, 1]")]
    [InlineData("--fail-under", "attack_success=-1", "[0, 1]")]
    [InlineData("--attacks", "nonsense", "nonsense")]
    [InlineData("--baseline", "/nonexistent/report.json", "--baseline")]
    [InlineData("--summary-md", "/proc/nope/summary.md", "--summary-md")]
    [InlineData("--junit", "/proc/nope/junit.xml", "--junit")]
    public void AuditMistakesAreRefusedBeforeAnyWork(string option, string value, string named)
    {
        using var folder = new TempFolder();
        var args = new List<string> { "audit", "--threads", "1", option, value };
        if (option != "--out") args.AddRange(["--out", folder.Path]);
        var (code, output, errors) = InProcess.Run([.. args]);
        AssertOneLineError(code, output, errors, named);
        // Refused before the model was trained: no progress line was written.
        Assert.DoesNotContain("training", output);
    }

    [Fact]
    public void ABaselineThatIsNotAReportAndAnUnknownExperimentAreOneLine()
    {
        using var folder = new TempFolder();
        var junk = Path.Combine(folder.Path, "report.json");
        File.WriteAllText(junk, "{ not json");
        var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--baseline", junk, "--out", folder.Path);
        AssertOneLineError(code, output, errors, "--baseline");
        File.WriteAllText(junk, "{}");
        (code, output, errors) = InProcess.Run("compare", junk, junk, "--out", folder.Path);
        AssertOneLineError(code, output, errors, "no models and results");
        (code, output, errors) = InProcess.Run("reproduce", "nonsense");
        AssertOneLineError(code, output, errors, "nonsense");
        (code, output, errors) = InProcess.Run("compare", junk, Path.Combine(folder.Path, "missing.json"), "--out", folder.Path);
        AssertOneLineError(code, output, errors, "baseline");
    }

    [Fact]
    public void AuditListNamesEveryKeyFamilyAndGateMetricWithinOneHundredTwentyColumns()
    {
        var (code, output, errors) = InProcess.Run("audit", "--list");
        Assert.Equal(0, code);
        Assert.Empty(errors);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.All(lines, l => Assert.True(l.Length <= 120, l));
        foreach (var key in new[] { "fgsm-0.1", "pgd-linf-0.1", "membership-lira-top1", "substitute-transfer", "backdoor-0.2" })
            Assert.Contains(lines, l => l.StartsWith(key + " ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("membership-lira ", StringComparison.Ordinal) && l.Contains(" membership ", StringComparison.Ordinal));
        foreach (var metric in AuditGate.MetricNames) Assert.Contains(metric, output);
        Assert.Contains("families (--attacks): evasion, fooling, membership, transfer, poisoning", output);
        Assert.Contains("  autoattack-linf-0.05, autoattack-linf-0.1, autoattack-linf-0.2, autoattack-linf-0.3", lines);
    }

    [Fact]
    public void HelpNamesTheCommandNeuralshieldAndListsOneExperimentALine()
    {
        var (code, output, _) = InProcess.Run("reproduce", "--help");
        Assert.Equal(0, code);
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains(lines, l => l.Trim().StartsWith("neuralshield reproduce <experiment>", StringComparison.Ordinal));
        foreach (var (name, experiment) in NeuralShield.Cli.Reproduce.ReproduceCommand.Experiments)
        {
            var line = Assert.Single(lines, l => l.TrimStart().StartsWith(name + " ", StringComparison.Ordinal) && !l.Contains("--", StringComparison.Ordinal));
            Assert.Contains(experiment.Description.Split(' ')[0], line);
        }
        (code, output, _) = InProcess.Run("--help");
        Assert.Equal(0, code);
        var commands = output.Split('\n').Select(l => l.TrimEnd('\r')).SkipWhile(l => l != "Commands:").Skip(1).Where(l => l.Length > 0).ToArray();
        // The command names are short: no argument's every value padded into the column.
        Assert.All(commands, l => Assert.True(l.TrimStart().IndexOf("  ", StringComparison.Ordinal) < 30, l));
        (_, output, _) = InProcess.Run("audit", "--help");
        Assert.Contains("  neuralshield audit [options]", output);
        // Every help page fits a 120-column terminal.
        foreach (var args in new[] { ["--help"], ["audit", "--help"], ["reproduce", "--help"], new[] { "compare", "--help" } })
            Assert.All(InProcess.Run(args).Out.Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= 120, l));
    }

    [Fact]
    public void TheAuditTableFitsOneHundredTwentyColumnsWithEveryRowUnderTheHeader()
    {
        using var folder = new TempFolder();
        var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--epochs", "3", "--samples", "40", "--attacks", "fgsm-0.1,membership-loss-round1,label-flip-0.1",
            "--out", folder.Path);
        Assert.True(code == 0, string.Join("\n", errors));
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var header = Array.FindIndex(lines, l => l.StartsWith("key ", StringComparison.Ordinal));
        var table = lines[header..].TakeWhile(l => !l.StartsWith("report:", StringComparison.Ordinal)).ToArray();
        Assert.All(table, l => Assert.True(l.Length <= 120, l));
        var result = table[0].IndexOf("result", StringComparison.Ordinal);
        // The membership and poisoning rows' text starts under "result", like the evasion row's.
        foreach (var key in new[] { "fgsm-0.1", "membership-loss-round1", "label-flip-0.1" })
        {
            var row = Assert.Single(table, l => l.StartsWith(key + " ", StringComparison.Ordinal));
            Assert.True(row[result - 1] == ' ' && row[result] != ' ', row);
        }
        Assert.Contains(table, l => l.Contains("AUC", StringComparison.Ordinal));
        Assert.Contains(table, l => l.Contains("accuracy after", StringComparison.Ordinal));
    }

    [Fact]
    public void AnOnnxFileIsRecognisedByItsContentWhateverItsName()
    {
        using var folder = new TempFolder();
        var renamed = Path.Combine(folder.Path, "model.pt");
        File.Copy(AuditCommandTests.Shared("models", "mnist-8.onnx"), renamed);
        // One FGSM row on the imported graph (ONNX is read from the content, not from the .pt name).
        var (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--model", renamed, "--data", "mnist:" + AuditCommandTests.Shared("data", "mnist"),
            "--attacks", "fgsm-0.1", "--samples", "20", "--train-samples", "40", "--out", folder.Path);
        Assert.True(code == 0, string.Join("\n", errors));
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "report.json")));
        Assert.Equal("white_box", document.RootElement.GetProperty("models")[0].GetProperty("access").GetString());
    }

    private static AuditReport Membership(string model, double tpr, double auc) =>
        new(DateTimeOffset.UnixEpoch, "digits", "cpu", 0, [new ModelRecord(model, ModelAccess.WhiteBox, 0.95, 100)],
        [
            new AttackRecord(model, new AttackInfo("LiRA (online)", AttackFamily.Inference, ModelAccess.Probabilities, null), "online", null,
                Membership: new MembershipMetrics(300, 300, auc, 0.5, 0.5, 0.5, 0, tpr, tpr, auc - 0.5)) { Key = "membership-lira" },
        ]);

    [Fact]
    public void CompareWritesTheDeltaAndTheChangedVerdictAsHtmlAndMarkdown()
    {
        using var folder = new TempFolder();
        var before = Path.Combine(folder.Path, "before.json");
        var after = Path.Combine(folder.Path, "after.json");
        File.WriteAllText(before, Membership("mlp", 0.02, 0.70).ToJson());
        File.WriteAllText(after, Membership("mlp-dpsgd", 0.0, 0.52).ToJson());
        var (code, output, errors) = InProcess.Run("compare", before, after, "--out", folder.Path);
        Assert.True(code == 0, string.Join("\n", errors));
        var markdown = File.ReadAllText(Path.Combine(folder.Path, "compare.md"));
        Assert.Equal(markdown.TrimEnd(), output.Split("comparison:")[0].TrimEnd());
        Assert.Contains("| Membership | at risk | **low risk** | 2.0% → 0.0% |", markdown);
        Assert.Contains("| mlp-dpsgd | membership-lira | AUC | 0.700 | 0.520 | −0.180 |", markdown);
        var html = XDocument.Load(Path.Combine(folder.Path, "compare.html"));
        XNamespace x = "http://www.w3.org/1999/xhtml";
        Assert.Equal("low risk", Assert.Single(html.Descendants(x + "td"), td => (string?)td.Attribute("class") == "changed").Value);
    }
}
