using System.Runtime.CompilerServices;

namespace NeuralShield.Cli.Tests;

/// <summary>Prepares TorchSharp's native bridge before any test touches TorchSharp directly.</summary>
internal static class TestSetup
{
    [ModuleInitializer]
    internal static void Initialize() => NeuralShield.Runtime.NativeRuntime.Initialize();
}

/// <summary>Runs the command line in-process and captures what it writes.</summary>
internal static class InProcess
{
    public static (int ExitCode, string Out, string[] ErrorLines) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.RunAsync(args, output, error).GetAwaiter().GetResult();
        return (code, output.ToString(), Lines(error.ToString()));
    }

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ns-cli-").FullName;

    public string Create(params string[] parts) => Directory.CreateDirectory(System.IO.Path.Combine([Path, .. parts])).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
