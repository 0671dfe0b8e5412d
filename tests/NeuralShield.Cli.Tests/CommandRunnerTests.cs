using System.CommandLine;
using TorchSharp;

namespace NeuralShield.Cli.Tests;

public class CommandRunnerTests
{
    private static (int ExitCode, string[] ErrorLines) Invoke(Func<ParseResult, CommandContext, CancellationToken, int> action, params string[] args)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("test");
        root.Options.Add(globals.Threads);
        root.Options.Add(globals.Device);
        var command = new Command("probe");
        CommandRunner.SetAction(command, globals, action);
        root.Subcommands.Add(command);
        var error = new StringWriter();
        var code = root.Parse(["probe", .. args]).Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = error });
        return (code, InProcess.Lines(error.ToString()));
    }

    [Fact]
    public void AUserErrorIsOneLineWithoutStackTraceAndExitCodeOne()
    {
        var (code, errors) = Invoke((_, _, _) => throw new CliUserException("something the user\ncan fix"), "--threads", "1");
        Assert.Equal(1, code);
        Assert.Equal("neuralshield: something the user can fix", Assert.Single(errors));
    }

    [Fact]
    public void AFailingFileWriteIsAUserError()
    {
        using var temp = new TempFolder();
        var (code, errors) = Invoke((_, _, _) =>
        {
            File.WriteAllText(Path.Combine(temp.Path, "missing", "report.json"), "{}");
            return 0;
        }, "--threads", "1");
        Assert.Equal(1, code);
        Assert.DoesNotContain("   at ", Assert.Single(errors));
    }

    [Fact]
    public void AnInternalErrorKeepsItsDetailsAndExitCodeThree()
    {
        var (code, errors) = Invoke((_, _, _) => throw new InvalidOperationException("bug"), "--threads", "1");
        Assert.Equal(3, code);
        Assert.Contains(errors, l => l.StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public void ThreadsAreAppliedBeforeTheAction()
    {
        var seen = 0;
        var (code, _) = Invoke((_, context, _) =>
        {
            seen = torch.get_num_threads();
            Assert.Equal(1, context.Threads);
            Assert.Equal(DeviceType.CPU, context.Device.type);
            return 0;
        }, "--threads", "1");
        Assert.Equal(0, code);
        Assert.Equal(1, seen);
        Assert.Equal(GlobalOptions.InteropThreads, torch.get_num_interop_threads());
    }

    [Fact]
    public void CudaOnAMachineWithoutItNamesWhatWasTried()
    {
        // On this CPU-only machine (TorchSharp-cpu, no NEURALSHIELD_LIBTORCH_DIR, no PyTorch with CUDA), the backend finds nothing.
        var (code, _, errors) = InProcess.Run("reproduce", "fgsm", "--device", "cuda", "--data", "/nonexistent-mnist");
        Assert.Equal(1, code);
        var line = Assert.Single(errors);
        Assert.StartsWith("neuralshield: --device cuda:", line);
        Assert.Contains("NEURALSHIELD_LIBTORCH_DIR", line);
        Assert.Contains("application native folder", line);
        Assert.Contains("python3", line);
    }
}
