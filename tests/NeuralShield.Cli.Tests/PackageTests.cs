using System.IO.Compression;
using System.Xml.Linq;
using NeuralShield.Tests.Shared;
using Xunit.Abstractions;

namespace NeuralShield.Cli.Tests;

/// <summary>
/// <c>dotnet pack</c> gives the library packages with README, licence, XML docs, symbols and metadata, and the
/// <c>neuralshield</c> tool package installs with <c>dotnet tool install --tool-path</c> from a local folder and runs
/// an audit. Packs the Release build the tests were built with (<c>--no-build</c>).
/// </summary>
public class PackageTests(ITestOutputHelper output)
{
    private static string Repository => Path.GetDirectoryName(DataFolders.FindAbove("src", [AppContext.BaseDirectory])!)!;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    private string Dotnet(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        ExternalProcess.Run(output, workingDirectory, "dotnet", args, Limit, environment);

    private string Pack(TempFolder folder, string project)
    {
        var packages = folder.Create("packages");
        Dotnet(Repository, null, "pack", Path.Combine("src", project), "-c", "Release", "--no-build", "-o", packages);
        return packages;
    }

    [Theory]
    [InlineData("NeuralShield")]
    [InlineData("NeuralShield.Cuda")]
    [InlineData("NeuralShield.Orleans")]
    public void TheLibraryPackagesCarryReadmeLicenceDocsSymbolsAndMetadata(string id)
    {
        using var folder = new TempFolder();
        var packages = Pack(folder, id);
        var package = Assert.Single(Directory.GetFiles(packages, $"{id}.*.nupkg"));
        Assert.Single(Directory.GetFiles(packages, $"{id}.*.snupkg"));
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
        var packages = Pack(folder, "NeuralShield.Cli");
        Assert.Single(Directory.GetFiles(packages, "NeuralShield.Cli.*.snupkg"));
        var config = Path.Combine(folder.Path, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var tools = Path.Combine(folder.Path, "tools");
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = folder.Create("nuget-cache") };
        Dotnet(folder.Path, environment, "tool", "install", "NeuralShield.Cli", "--tool-path", tools, "--configfile", config);

        var reports = Path.Combine(folder.Path, "reports");
        var text = ExternalProcess.Run(output, folder.Path, Path.Combine(tools, "neuralshield"),
            ["audit", "--quiet", "--threads", "1", "--attacks", "fgsm-0.1", "--epochs", "5", "--out", reports], Limit);
        Assert.Contains("report: " + Path.Combine(reports, "report.html"), text);
        Assert.True(File.Exists(Path.Combine(reports, "report.json")));
    }
}
