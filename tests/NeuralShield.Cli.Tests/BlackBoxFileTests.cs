using NeuralShield.Cli.Reproduce;

namespace NeuralShield.Cli.Tests;

/// <summary>The ONNX black boxes the tool opens for the library's black-box reproductions.</summary>
public sealed class BlackBoxFileTests
{
    [Fact]
    public void AnOracleThatIsNotAnOnnxModelIsOneLineAndExitCodeOne()
    {
        var file = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(file, "not a model");
        try
        {
            var (code, _, errors) = InProcess.Run("reproduce", "substitute", "--oracle", file, "--samples", "10");
            Assert.Equal(1, code);
            var line = Assert.Single(errors);
            Assert.StartsWith("neuralshield: --oracle " + file, line);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void TransferGetsTheSharedModelsAndAnOtherOracleSubstituteOnlyItsOracle()
    {
        var shared = DataFolders.FindAbove(BlackBoxFiles.ModelsRelativePath, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);
        Assert.NotNull(shared);
        var mnist8 = Path.Combine(shared, "mnist-8.onnx");

        var transfer = BlackBoxFiles.Open("transfer", null);
        try
        {
            Assert.Equal(["mnist8", "lenet5_pytorch"], transfer.Select(b => b.Name));
            Assert.All(transfer, b => Assert.Equal(10, b.Classifier.ClassCount));
        }
        finally
        {
            foreach (var b in transfer) ((IDisposable)b.Classifier).Dispose();
        }

        var substitute = BlackBoxFiles.Open("substitute", mnist8);
        try
        {
            var box = Assert.Single(substitute);
            Assert.Equal(("mnist8", mnist8), (box.Name, box.Path));
        }
        finally
        {
            foreach (var b in substitute) ((IDisposable)b.Classifier).Dispose();
        }

        // The same file named again as --oracle adds no second column; no oracle for a reproduction without black boxes.
        var again = BlackBoxFiles.Open("transfer", mnist8);
        try
        {
            Assert.Equal(2, again.Count);
        }
        finally
        {
            foreach (var b in again) ((IDisposable)b.Classifier).Dispose();
        }
        Assert.Empty(BlackBoxFiles.Open("fgsm", mnist8));
    }
}
