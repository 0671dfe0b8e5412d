using NeuralShield.PyTorch;
using System.Text.Json;
using NeuralShield.Models;

namespace NeuralShield.Cli.Tests;

/// <summary>
/// <c>neuralshield audit</c>: gates give exit code 2 naming the missed ones and 0 when met; user mistakes are one line
/// with exit code 1; a user's ONNX model is audited as a black box (white-box entries named as skipped) and a
/// PyTorch state_dict as a white box; both reports are written.
/// </summary>
public class AuditCommandTests
{
    /// <summary>The repository's shared/ folder (../shared from the worktree root), found above the test's folder.</summary>
    internal static string Shared(params string[] parts) =>
        Path.Combine([DataFolders.FindAbove("shared", [AppContext.BaseDirectory, Directory.GetCurrentDirectory()])
                      ?? throw new InvalidOperationException("The shared reference data (shared/ above the repository) are missing."), .. parts]);

    /// <summary>A quick digits audit: few epochs and samples.</summary>
    internal static (int Code, string Out, string[] Errors) QuickDigits(string outFolder, string attacks, params string[] more) =>
        InProcess.Run(["audit", "--threads", "1", "--quiet", "--epochs", "5", "--samples", "80", "--attacks", attacks, "--out", outFolder, .. more]);

    [Fact]
    public void AMissedGateExitsTwoNamingItAndMetGatesExitZero()
    {
        using var folder = new TempFolder();
        var (code, output, errors) = QuickDigits(folder.Path, "fgsm-0.1", "--fail-under", "robust_accuracy@fgsm-0.1=0", "--fail-under", "clean_accuracy=0.3");
        Assert.True(code == 0, string.Join("\n", errors));
        Assert.Empty(errors);
        Assert.Contains("gate PASS: robust_accuracy@fgsm-0.1", output);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "report.json")));
        var run = document.RootElement.GetProperty("results").EnumerateArray().Single();
        Assert.Equal("fgsm-0.1", run.GetProperty("key").GetString());
        var robust = run.GetProperty("robust_accuracy").GetDouble();
        Assert.True(File.Exists(Path.Combine(folder.Path, "report.html")));

        // The same audit (same seed) against a bound just above the measured robust accuracy.
        var bound = (robust + 0.01).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        (code, output, errors) = QuickDigits(folder.Path, "fgsm-0.1", "--fail-under", $"robust_accuracy@fgsm-0.1={bound}", "--fail-under", "clean_accuracy=0.3");
        Assert.Equal(2, code);
        var line = Assert.Single(errors);
        Assert.StartsWith("neuralshield: gates missed: robust_accuracy@fgsm-0.1", line);
        Assert.DoesNotContain("clean_accuracy", line);
        Assert.Contains("gate FAIL: robust_accuracy@fgsm-0.1", output);
    }

    [Theory]
    [InlineData("--model", "/nonexistent/model.onnx")]
    [InlineData("--model", "zoo:resnet-9000")]
    [InlineData("--attacks", "pgd-linf-0.1,nonsense")]
    [InlineData("--fail-under", "happiness=1")]
    [InlineData("--data", "/nonexistent/data.csv")]
    [InlineData("--arch", "transformer")]
    public void UserMistakesAreOneLineAndExitCodeOne(string option, string value)
    {
        using var folder = new TempFolder();
        var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, option, value);
        AssertOneLineError(code, output, errors, value.Split(',')[^1].Split('=')[0]);
    }

    [Fact]
    public void AnUnreadableOnnxFileAndADataFolderWithoutItsFilesAreOneLineAndExitCodeOne()
    {
        using var folder = new TempFolder();
        var bad = Path.Combine(folder.Path, "bad.onnx");
        File.WriteAllText(bad, "this is not a protobuf");
        var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--model", bad, "--attacks", "transfer");
        AssertOneLineError(code, output, errors, "ONNX");

        var empty = folder.Create("empty-mnist");
        (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--data", "mnist:" + empty);
        AssertOneLineError(code, output, errors, "MNIST");

        var stateDict = Path.Combine(folder.Path, "weights.pt");
        File.WriteAllText(stateDict, "x");
        (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--out", folder.Path, "--model", stateDict);
        AssertOneLineError(code, output, errors, "--arch");
    }

    private static void AssertOneLineError(int code, string output, string[] errors, string named)
    {
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.StartsWith("neuralshield: ", line);
        Assert.Contains(named, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at ", line);
        Assert.DoesNotContain("report:", output);
    }

    [Fact]
    public void AnOnnxModelIsAuditedAsABlackBoxNamingTheSkippedWhiteBoxAttacks()
    {
        using var folder = new TempFolder();
        var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--model", Shared("models", "mnist-8.onnx"), "--data", "mnist:" + Shared("data", "mnist"),
            "--attacks", "evasion,transfer", "--samples", "30", "--train-samples", "150", "--out", folder.Path);
        Assert.True(code == 0, string.Join("\n", errors));
        var skippedLine = Assert.Single(output.Split('\n'), l => l.StartsWith("skipped, white-box access needed", StringComparison.Ordinal));
        foreach (var key in new[] { "fgsm-0.1", "pgd-linf-0.1", "jsma", "deepfool", "universal" }) Assert.Contains(key, skippedLine);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "report.json")));
        Assert.Equal("probabilities", document.RootElement.GetProperty("models")[0].GetProperty("access").GetString());
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToArray();
        var transfer = Assert.Single(results, r => r.GetProperty("key").GetString() == "substitute-transfer");
        Assert.Equal(JsonValueKind.Null, transfer.GetProperty("skipped").ValueKind);
        Assert.InRange(transfer.GetProperty("extraction").GetProperty("transfer_success_rate").GetDouble(), 0, 1);
        // The gradient attacks are skipped; the score- and label-only ones run on the black box.
        string[] blackBox = ["square-linf-0.3", "hopskipjump-l2"];
        var evasion = results.Where(r => r.GetProperty("attack").GetProperty("family").GetString() == "evasion").ToArray();
        Assert.All(evasion.Where(r => !blackBox.Contains(r.GetProperty("key").GetString())), r => Assert.Contains("white-box", r.GetProperty("skipped").GetString()));
        foreach (var key in blackBox)
            Assert.Equal(JsonValueKind.Null, Assert.Single(evasion, r => r.GetProperty("key").GetString() == key).GetProperty("skipped").ValueKind);
    }

    [Fact]
    public void AStateDictIsAuditedAsAWhiteBoxWithoutItsTrainingData()
    {
        using var folder = new TempFolder();
        var weights = Path.Combine(folder.Path, "mlp.pt");
        using (var module = ModelZoo.Create("mlp", [64], 10, seed: 3)) PyTorchWeights.Save(module, weights);
        var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--model", weights, "--arch", "mlp", "--attacks", "fgsm-0.1,membership-loss,label-flip-0.1",
            "--samples", "40", "--out", folder.Path, "--json");
        Assert.True(code == 0, string.Join("\n", errors));
        using var document = JsonDocument.Parse(output);
        Assert.Equal("whitebox", document.RootElement.GetProperty("models")[0].GetProperty("access").GetString()!.Replace("_", ""));
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
        Assert.Equal(JsonValueKind.Object, results["fgsm-0.1"].GetProperty("evasion").ValueKind);
        Assert.Contains("training data", results["membership-loss"].GetProperty("skipped").GetString());
        Assert.Contains("training data", results["label-flip-0.1"].GetProperty("skipped").GetString());
    }

    [Fact]
    public void TorchSharpSavedWeightsAreAuditedLikeTheSameWeightsAsAStateDict()
    {
        // The same module saved both ways: TorchSharp's Module.save and a PyTorch state_dict. Both loaders must give the
        // model the same weights, so the audit measures the same clean accuracy and the same FGSM result on them.
        using var folder = new TempFolder();
        var torchSharp = Path.Combine(folder.Path, "mlp.dat");
        var pyTorch = Path.Combine(folder.Path, "mlp.pt");
        using (var module = ModelZoo.Create("mlp", [64], 10, seed: 5))
        {
            using var data = NeuralShield.Data.Datasets.Digits();
            new NeuralShield.Training.Trainer(new NeuralShield.Training.TrainingOptions { Epochs = 3, BatchSize = 64, LearningRate = 1e-2, Seed = 5 }).Fit(module, data);
            module.save(torchSharp);
            PyTorchWeights.Save(module, pyTorch);
        }
        JsonElement Audit(string weights, string outFolder)
        {
            var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--model", weights, "--arch", "mlp", "--attacks", "fgsm-0.1",
                "--samples", "60", "--out", outFolder, "--json");
            Assert.True(code == 0, string.Join("\n", errors));
            using var document = JsonDocument.Parse(output);
            return document.RootElement.Clone();
        }
        var fromTorchSharp = Audit(torchSharp, folder.Create("a"));
        var fromPyTorch = Audit(pyTorch, folder.Create("b"));
        var model = fromTorchSharp.GetProperty("models")[0];
        Assert.Equal("whitebox", model.GetProperty("access").GetString()!.Replace("_", ""));
        Assert.Equal(fromPyTorch.GetProperty("models")[0].GetProperty("clean_accuracy").GetDouble(), model.GetProperty("clean_accuracy").GetDouble());
        Assert.Equal(fromPyTorch.GetProperty("results")[0].GetProperty("evasion").GetProperty("success_rate").GetDouble(),
            fromTorchSharp.GetProperty("results")[0].GetProperty("evasion").GetProperty("success_rate").GetDouble());
        // Trained weights, not a fresh initialisation: well above chance on the digits.
        Assert.True(model.GetProperty("clean_accuracy").GetDouble() > 0.5, model.ToString());
    }

    [Fact]
    public void AFileThatIsNeitherWeightsFormatIsOneLineAndExitCodeOne()
    {
        using var folder = new TempFolder();
        var junk = Path.Combine(folder.Path, "weights.bin");
        File.WriteAllBytes(junk, [1, 2, 3, 4, 5, 6, 7, 8]);
        var (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--model", junk, "--arch", "mlp", "--attacks", "fgsm-0.1", "--out", folder.Path);
        Assert.Equal(1, code);
        Assert.Contains("neither a PyTorch state_dict nor TorchSharp-saved weights", Assert.Single(errors));
    }
}
