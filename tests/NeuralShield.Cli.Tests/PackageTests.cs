using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace NeuralShield.Cli.Tests;

/// <summary>
/// <c>dotnet pack</c> gives the library packages with README, licence, XML docs, symbols and metadata, and the
/// <c>neuralshield</c> tool package installs with <c>dotnet tool install --tool-path</c> from a local folder and runs
/// an audit. Packs the Release build the tests were built with (<c>--no-build</c>).
/// </summary>
public class PackageTests
{
    private static string Repository => Path.GetDirectoryName(DataFolders.FindAbove("src", [AppContext.BaseDirectory])!)!;

    private static (int Code, string Output) Dotnet(string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        Run("dotnet", args, workingDirectory, environment);

    /// <summary>Runs a program to its end; its exit code and everything it wrote.</summary>
    private static (int Code, string Output) Run(string program, string[] args, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = new Process { StartInfo = start };
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }

    private static string Pack(TempFolder folder, string project)
    {
        var output = folder.Create("packages");
        var (code, text) = Dotnet(Repository, null, "pack", Path.Combine("src", project), "-c", "Release", "--no-build", "-o", output);
        Assert.True(code == 0, text);
        return output;
    }

    [Theory]
    [InlineData("NeuralShield")]
    [InlineData("NeuralShield.Cuda")]
    public void TheLibraryPackagesCarryReadmeLicenceDocsSymbolsAndMetadata(string id)
    {
        using var folder = new TempFolder();
        var output = Pack(folder, id);
        var package = Assert.Single(Directory.GetFiles(output, $"{id}.*.nupkg"));
        Assert.Single(Directory.GetFiles(output, $"{id}.*.snupkg"));
        using var zip = ZipFile.OpenRead(package);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("README.md", names);
        Assert.Contains("LICENSE", names);
        Assert.Contains($"lib/net10.0/{id}.dll", names);
        Assert.Contains($"lib/net10.0/{id}.xml", names);
        using var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal(id, Field("id"));
        Assert.Equal("MIT", Field("license"));
        Assert.Equal("README.md", Field("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        Assert.False(string.IsNullOrWhiteSpace(Field("authors")));
    }

    [Fact]
    public void TheToolInstallsFromALocalFolderAndRunsAQuietAudit()
    {
        using var folder = new TempFolder();
        var output = Pack(folder, "NeuralShield.Cli");
        Assert.Single(Directory.GetFiles(output, "NeuralShield.Cli.*.snupkg"));
        var config = Path.Combine(folder.Path, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{output}" />
              </packageSources>
            </configuration>
            """);
        var tools = Path.Combine(folder.Path, "tools");
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = folder.Create("nuget-cache") };
        var (code, text) = Dotnet(folder.Path, environment, "tool", "install", "NeuralShield.Cli", "--tool-path", tools, "--configfile", config);
        Assert.True(code == 0, text);

        var reports = Path.Combine(folder.Path, "reports");
        (code, text) = Run(Path.Combine(tools, "neuralshield"), ["audit", "--quiet", "--threads", "1", "--attacks", "fgsm-0.1", "--epochs", "5", "--out", reports], folder.Path);
        Assert.True(code == 0, text);
        Assert.Contains("report: " + Path.Combine(reports, "report.html"), text);
        Assert.True(File.Exists(Path.Combine(reports, "report.json")));
    }
}
