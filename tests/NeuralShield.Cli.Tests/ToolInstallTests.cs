using System.Globalization;
using System.IO.Compression;
using NeuralShield.Tests.Shared;
using Xunit.Abstractions;

namespace NeuralShield.Cli.Tests;

/// <summary>
/// The `neuralshield` dotnet tool as a user gets it: the CLI project is packed into a local folder (from the Release
/// build the test run already made), installed from there with `dotnet tool install --tool-path`, and the installed
/// command runs an audit. The tool package is extracted into the test's own folder, which is deleted afterwards.
/// </summary>
public class ToolInstallTests(ITestOutputHelper output)
{
    [Fact]
    public void TheToolInstallsFromALocalFolderAndRunsAnAudit()
    {
        using var temp = new TempFolder();
        var repo = ExternalProcess.RepositoryRoot();
        var feed = temp.Create("feed");
        var tools = temp.Create("tools");
        var packages = temp.Create("packages");
        var version = "0.1.0-toolinstall." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var project = Path.Combine(repo, "src", "NeuralShield.Cli", "NeuralShield.Cli.csproj");
        // PackageVersion changes only the package's version (not the assemblies'), so the Release build is reused.
        Run(repo, null, "dotnet", "pack", project, "-c", "Release", "-o", feed, $"-p:PackageVersion={version}", "--nologo");
        var package = Path.Combine(feed, $"NeuralShield.Cli.{version}.nupkg");
        Assert.True(File.Exists(package), "dotnet pack wrote no tool package: " + string.Join(", ", Directory.GetFiles(feed)));
        using (var zip = ZipFile.OpenRead(package))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("README.md", names);
            Assert.Contains("LICENSE", names);
            Assert.Contains(names, n => n.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
            Assert.Contains(names, n => n.EndsWith("/NeuralShield.xml", StringComparison.Ordinal));
        }

        // Installed from the folder alone (a NuGet configuration naming only it), outside the repository and its source mapping.
        var config = Path.Combine(temp.Path, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local-tool-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        Run(temp.Path, packages, "dotnet", "tool", "install", "NeuralShield.Cli", "--tool-path", tools, "--configfile", config, "--version", version);
        var command = Path.Combine(tools, OperatingSystem.IsWindows() ? "neuralshield.exe" : "neuralshield");
        Assert.True(File.Exists(command), "the tool's command was not installed: " + string.Join(", ", Directory.GetFiles(tools)));

        var help = Run(temp.Path, packages, command, "--help");
        Assert.Contains("audit", help);
        var audit = Run(temp.Path, packages, command, "audit", "--threads", "1");
        // The audit trains its models on the embedded digits and reports every attack it ran on them.
        Assert.Contains("FGSM", audit);
        Assert.Contains("Jacobian substitute", audit);
    }

    /// <summary>Runs a command to completion and returns its output; <paramref name="packages"/>, when given, is its NuGet package folder.</summary>
    private string Run(string directory, string? packages, string file, params string[] args) =>
        ExternalProcess.Run(output, directory, file, args, TimeSpan.FromMinutes(10),
            packages is null ? null : new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages });
}
