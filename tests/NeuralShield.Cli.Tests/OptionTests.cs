using System.CommandLine;

namespace NeuralShield.Cli.Tests;

public class OptionTests
{
    [Theory]
    [InlineData("audit", "--threads", "0")]
    [InlineData("audit", "--threads", "-2")]
    [InlineData("bench", "jsma-224", "--threads", "two")]
    [InlineData("reproduce", "fgsm", "--threads", "1.5")]
    public void InvalidThreadsIsOneLineAndExitCodeOne(params string[] args)
    {
        var (code, output, errors) = InProcess.Run(args);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        var line = Assert.Single(errors);
        Assert.Contains("--threads must be an integer of at least 1", line);
    }

    [Fact]
    public void ThreadsIsAcceptedOnEveryCommandAndDefaultsToHalfTheProcessors()
    {
        var root = CliApp.CreateRoot();
        foreach (var args in new[] { new[] { "audit", "--threads", "3" }, ["--threads", "3", "bench", "jsma-224"], ["reproduce", "fgsm", "--threads", "3"] })
        {
            var parse = root.Parse(args);
            Assert.Empty(parse.Errors);
            Assert.Equal(3, parse.GetValue<int>("--threads"));
        }
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), root.Parse(["audit"]).GetValue<int>("--threads"));
        Assert.Equal(GlobalOptions.DefaultThreads, root.Parse(["audit"]).GetValue<int>("--threads"));
    }

    [Theory]
    [InlineData("audit", "--device", "gpu")]
    [InlineData("reproduce", "fgsm", "--samples", "0")]
    [InlineData("reproduce", "saturation", "--lambda", "-1")]
    [InlineData("reproduce", "distillation", "--epochs", "many")]
    [InlineData("reproduce", "fgsm", "--lambda", "0.5")]
    [InlineData("reproduce", "fgsm", "--test-order", "shuffled")]
    public void BadOptionValuesAreOneLineAndExitCodeOne(params string[] args)
    {
        var (code, _, errors) = InProcess.Run(args);
        Assert.Equal(1, code);
        Assert.StartsWith("neuralshield: ", Assert.Single(errors));
    }

    [Fact]
    public void AJsonFileThatCannotBeWrittenIsRefusedBeforeTheExperimentRuns()
    {
        var (code, output, errors) = InProcess.Run("reproduce", "fgsm", "--threads", "1", "--json", "/proc/neuralshield-no-such-folder/fgsm.json");
        Assert.Equal(1, code);
        Assert.Contains("--json", Assert.Single(errors));
        Assert.DoesNotContain("MNIST", output);
    }

    [Fact]
    public void TrainingOptionsReachTheExperimentContextParser()
    {
        var parse = CliApp.CreateRoot().Parse(["reproduce", "adversarial-training", "--epochs", "2", "--train-steps", "3"]);
        Assert.Empty(parse.Errors);
        Assert.Equal(2, parse.GetValue<int?>("--epochs"));
        Assert.Equal(3, parse.GetValue<int?>("--train-steps"));
        Assert.Null(parse.GetValue<double?>("--lambda"));
    }

    [Theory]
    [InlineData("fgsm")]
    [InlineData("detector")]
    [InlineData("keyed-transform")]
    public void OracleIsRefusedForExperimentsThatDoNotQueryAnOnnxModel(string experiment)
    {
        var file = Path.GetTempFileName();
        try
        {
            var (code, output, errors) = InProcess.Run("reproduce", experiment, "--oracle", file);
            Assert.Equal(1, code);
            Assert.Equal("", output);
            var line = Assert.Single(errors);
            Assert.StartsWith("neuralshield: ", line);
            Assert.Contains("--oracle applies only to hopskipjump, square, substitute, transfer", line);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void OracleMustExist()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.onnx");
        var (code, _, errors) = InProcess.Run("reproduce", "substitute", "--oracle", missing);
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.Contains("--oracle file", line);
        Assert.Contains("does not exist", line);
    }

    [Fact]
    public void OracleIsAcceptedForTheBlackBoxReproductionsAndDefaultsToNone()
    {
        var file = Path.GetTempFileName();
        try
        {
            var root = CliApp.CreateRoot();
            foreach (var experiment in new[] { "hopskipjump", "square", "substitute", "transfer" })
            {
                var parse = root.Parse(["reproduce", experiment, "--oracle", file]);
                Assert.Empty(parse.Errors);
                Assert.Equal(file, parse.GetValue<FileInfo?>("--oracle")!.FullName);
            }
            Assert.Null(root.Parse(["reproduce", "substitute"]).GetValue<FileInfo?>("--oracle"));
            Assert.Equal(["hopskipjump", "square", "substitute", "transfer"], NeuralShield.Cli.Reproduce.ReproduceCommand.TrainingOptionUsers["--oracle"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void VariantsAreCheckedAgainstTheExperimentsKeys()
    {
        var (code, _, errors) = InProcess.Run("reproduce", "fgsm", "--variant", "substitute=mlp");
        Assert.Equal(1, code);
        Assert.Contains("fgsm has no variants", Assert.Single(errors));

        (code, _, errors) = InProcess.Run("reproduce", "substitute", "--variant", "depth=3");
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.Contains("no variant 'depth'", line);
        Assert.Contains("jacobian", line);

        (code, _, errors) = InProcess.Run("reproduce", "substitute", "--variant", "substitute");
        Assert.Equal(1, code);
        Assert.Contains("key=value", Assert.Single(errors));

        var parse = CliApp.CreateRoot().Parse(["reproduce", "transfer", "--variant", "substitute=mlp", "--variant", "training=retrain"]);
        Assert.Empty(parse.Errors);
        Assert.Equal(["substitute=mlp", "training=retrain"], parse.GetValue<string[]>("--variant")!);
    }

    [Fact]
    public void AVariantValueOutsideItsChoicesIsAUserError()
    {
        var context = new NeuralShield.Reproductions.ReproductionContext("d", null, 0, TorchSharp.torch.CPU, "c", TextWriter.Null,
            Variants: new Dictionary<string, string> { ["substitute"] = "CNN", ["jacobian"] = " Logits " });
        Assert.Equal("logits", context.Variant("jacobian", "probabilities", "logits"));
        Assert.Equal("continue", context.Variant("training", "continue", "retrain"));
        var error = Assert.Throws<NeuralShield.Reproductions.ReproductionSettingException>(() => context.Variant("substitute", "lenet5", "mlp"));
        Assert.Contains("lenet5 or mlp", error.Message);
    }
}
