using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace NeuralShield.Tests.Shared;

/// <summary>
/// Runs a command (the dotnet CLI, an installed tool) as the tests that check packages need it: its output captured and
/// logged, the MSBuild variables of the test host removed, a time limit, a non-zero exit code a failure. Linked into
/// each test project that packs or installs something.
/// </summary>
internal static class ExternalProcess
{
    /// <summary>Runs a command to completion and returns its standard output and error.</summary>
    /// <param name="output">The test's log, which gets the command line and its output.</param>
    /// <param name="directory">The working folder.</param>
    /// <param name="file">The program.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="limit">How long it may run before it is killed and the test fails.</param>
    /// <param name="environment">Extra environment variables (for example NUGET_PACKAGES), or null.</param>
    public static string Run(ITestOutputHelper output, string directory, string file, string[] args, TimeSpan limit,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("MSBuildSDKsPath");
        info.Environment.Remove("MSBuildExtensionsPath");
        info.Environment.Remove("MSBUILD_EXE_PATH");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {limit.TotalMinutes:0} minutes");
        }
        var text = stdout.Result + stderr.Result;
        output.WriteLine($"$ {file} {string.Join(' ', args)}\n{text}");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({process.ExitCode}):\n{text}");
        return text;
    }

    /// <summary>The folder holding NeuralShield.sln, above the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuralShield.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("NeuralShield.sln was not found above " + AppContext.BaseDirectory);
    }
}
