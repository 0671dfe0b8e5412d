using System.Text.Json;
using NeuralShield.Models;
using NeuralShield.PyTorch;
using static NeuralShield.Cli.Tests.AuditCommandTests;

namespace NeuralShield.Cli.Tests;

/// <summary>
/// <c>neuralshield audit</c> on model files users bring (made by tests/NeuralShield.Tests/Models/Imported/make_models.py
/// with PyTorch): each audited white-box with PyTorch's clean accuracy, and without the flags it needs, exit 1 naming them.
/// </summary>
public class ImportedModelCliTests
{
    private static string Model(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "NeuralShield.Tests", "Models", "Imported", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"The test model {name} was not found above {AppContext.BaseDirectory}.");
    }

    private static JsonElement Recorded(string name) => JsonDocument.Parse(File.ReadAllText(Model("models.json"))).RootElement.GetProperty(name);

    private static (int Code, string Out, string[] Errors) Audit(string folder, string model, string data, params string[] more) =>
        InProcess.Run(["audit", "--threads", "1", "--quiet", "--model", Model(model), "--data", data == "adult" ? "adult:" + Shared("data", "adult") : "mnist:" + Shared("data", "mnist"),
            "--attacks", "evasion,fooling", "--samples", "6", "--train-samples", "60", "--out", folder, .. more]);

    [Theory]
    [InlineData("mlp-flat.onnx")]
    [InlineData("cnn-nhwc-pixels-softmax.onnx", "--input-scale", "255")]
    [InlineData("cnn-nchw-pixels.onnx", "--input-scale", "255")]
    [InlineData("cnn-opset17-batch1.onnx")]
    [InlineData("cnn-gap.onnx", "--mean", "0.1307", "--std", "0.3081")]
    [InlineData("cnn-gap.pt", "--mean", "0.1307", "--std", "0.3081")]
    [InlineData("adult-mlp.onnx")]
    public void AModelFileIsAuditedWhiteBoxWithPyTorchsCleanAccuracy(string name, params string[] flags)
    {
        using var folder = new TempFolder();
        var recorded = Recorded(name);
        var (code, _, errors) = Audit(folder.Path, name, recorded.GetProperty("data").GetString()!, flags);
        Assert.True(code == 0, string.Join("\n", errors));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "report.json")));
        var model = report.RootElement.GetProperty("models")[0];
        Assert.Equal("white_box", model.GetProperty("access").GetString());
        var accuracy = model.GetProperty("clean_accuracy").GetDouble();
        var pytorch = recorded.GetProperty("accuracy").GetDouble();
        Assert.True(Math.Abs(accuracy - pytorch) <= 0.005, $"{name}: clean accuracy {accuracy:P2}, PyTorch {pytorch:P2}");
        var whiteBox = report.RootElement.GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("attack").GetProperty("access").GetString() == "white_box").ToArray();
        Assert.True(whiteBox.Length >= 13, $"{whiteBox.Length} white-box entries");
        // Every white-box entry runs, but those the data's class count rules out (APGD-T's targeted DLR on two classes).
        Assert.All(whiteBox, r => Assert.True((r.GetProperty("skipped").ValueKind == JsonValueKind.Null
                                               || r.GetProperty("skipped").GetString()!.Contains("classes", StringComparison.Ordinal))
                                              && r.GetProperty("error").ValueKind == JsonValueKind.Null,
            $"{r.GetProperty("key").GetString()}: {r}"));
        Assert.DoesNotContain(whiteBox, r => r.GetProperty("skipped").GetString()?.Contains("white-box", StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData("cnn-nchw-pixels.onnx", "--input-scale 255")]
    [InlineData("cnn-nhwc-pixels-softmax.onnx", "--input-scale 255")]
    [InlineData("cnn-gap.pt", "--mean 0.13")]
    public void WithoutTheFlagsItNeedsAModelFileExitsOneNamingThem(string name, string fix)
    {
        using var folder = new TempFolder();
        var (code, output, errors) = Audit(folder.Path, name, "mnist");
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.Contains(fix, line);
        Assert.DoesNotContain(" at ", line);
        Assert.DoesNotContain("report:", output);
    }

    [Theory]
    [InlineData("--input-scale", "--input-scale", "pixels")]
    [InlineData("non-zero", "--input-scale", "0")]
    [InlineData("mean and std", "--mean", "0.13")]
    [InlineData("mean and std", "--mean", "0.1", "0.2", "--std", "0.3")]
    [InlineData("std must hold positive", "--mean", "0.1", "--std", "0")]
    [InlineData("--layout", "--layout", "diagonal")]
    public void ABadContractOptionIsOneLineAndExitOne(string named, params string[] flags)
    {
        using var folder = new TempFolder();
        var (code, output, errors) = Audit(folder.Path, "cnn-gap.pt", "mnist", flags);
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.Contains(named, line);
        Assert.DoesNotContain(" at ", line);
        Assert.DoesNotContain("report:", output);
    }

    [Theory]
    [InlineData("bad-input-rank3.onnx", "fit in no layout")]
    [InlineData("mlp-flat.onnx", "do not fit in layout Nchw", "--layout", "Nchw")]
    public void AnInputShapeTheDataCannotFitIsOneLineAndExitOneAtLoad(string name, string named, params string[] flags)
    {
        using var folder = new TempFolder();
        var (code, output, errors) = Audit(folder.Path, name, "mnist", flags);
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.Contains(named, line);
        Assert.Contains("[1, 28, 28]", line);
        Assert.DoesNotContain("report:", output);
    }

    [Fact]
    public void AnUnsupportedOperatorFallsBackToTheBlackBoxSayingWhy()
    {
        using var folder = new TempFolder();
        var (code, output, errors) = InProcess.Run("audit", "--threads", "1", "--model", Model("bad-unsupported-elu.onnx"), "--layout", "Nchw", "--data", "mnist:" + Shared("data", "mnist"),
            "--attacks", "fgsm-0.1", "--samples", "4", "--train-samples", "60", "--out", folder.Path);
        Assert.True(code == 0, string.Join("\n", errors));
        var why = Assert.Single(output.Split('\n'), l => l.Contains("audited as a black box", StringComparison.Ordinal));
        Assert.Contains("operator 'Elu'", why);
        Assert.Contains("node '/Elu'", why);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("skipped, white-box access needed", StringComparison.Ordinal) && l.Contains("fgsm-0.1"));
    }

    [Fact]
    public void AStateDictWithOtherLayerNamesLoadsWithMapOrNamesTheWayOut()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "lenet-fc3.pt");
        using (var lenet = ModelZoo.LeNet5(seed: 3)) PyTorchWeights.Save(lenet, path, new Dictionary<string, string> { ["logits"] = "fc3" });
        var data = "mnist:" + Shared("data", "mnist");
        var (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--model", path, "--arch", "lenet5", "--data", data, "--attacks", "fgsm-0.1",
            "--samples", "4", "--train-samples", "60", "--out", folder.Create("without"));
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.Contains("--map", line);
        Assert.Contains("torch.jit.save", line);
        (code, _, errors) = InProcess.Run("audit", "--threads", "1", "--quiet", "--model", path, "--arch", "lenet5", "--map", "fc3=logits", "--data", data, "--attacks", "fgsm-0.1",
            "--samples", "4", "--train-samples", "60", "--out", folder.Create("with"));
        Assert.True(code == 0, string.Join("\n", errors));
    }
}
