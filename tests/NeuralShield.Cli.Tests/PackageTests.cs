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
    [InlineData("NeuralShield.Onnx")]
    [InlineData("NeuralShield.PyTorch")]
    [InlineData("NeuralShield.MLNet")]
    [InlineData("NeuralShield.Images")]
    [InlineData("NeuralShield.Reports")]
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
        if (id == "NeuralShield")
        {
            // The core pulls TorchSharp, MathNet and the logging abstractions only: ONNX Runtime, ScottPlot (SkiaSharp) and
            // PyBridge come with the packages that need them.
            var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Order().ToArray();
            Assert.Equal(["MathNet.Numerics", "Microsoft.Extensions.Logging.Abstractions", "TorchSharp"], dependencies);
        }
    }

    [Fact]
    public void TheToolInstallsFromALocalFolderAndRunsAQuietAudit()
    {
        // One package per system (each with that system's libtorch only, under nuget.org's 250 MB) and a pointer package.
        using var folder = new TempFolder();
        var packages = folder.Create("packages");
        Dotnet(Repository, null, "pack", Path.Combine("src", "NeuralShield.Cli"), "-c", "Release", "-o", packages);
        foreach (var rid in new[] { "linux-x64", "win-x64", "osx-arm64" })
        {
            var package = Assert.Single(Directory.GetFiles(packages, $"NeuralShield.Tool.{rid}.*.nupkg"));
            var megabytes = new FileInfo(package).Length / 1e6;
            output.WriteLine($"{Path.GetFileName(package)}: {megabytes:F1} MB");
            Assert.True(megabytes < 250, $"{package} is {megabytes:F0} MB");
            Assert.Single(Directory.GetFiles(packages, $"NeuralShield.Tool.{rid}.*.snupkg"));
        }
        var pointer = Assert.Single(Directory.GetFiles(packages, "NeuralShield.Tool.0*.nupkg"));
        Assert.True(new FileInfo(pointer).Length < 1_000_000, "the pointer package holds no binaries");

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
        // The README's install line, with a local folder as the source.
        Dotnet(folder.Path, environment, "tool", "install", "NeuralShield.Tool", "--tool-path", tools, "--configfile", config);

        var help = ExternalProcess.Run(output, folder.Path, Path.Combine(tools, "neuralshield"), ["audit", "--help"], Limit);
        Assert.Contains("neuralshield audit [options]", help);
        var reports = Path.Combine(folder.Path, "reports");
        var text = ExternalProcess.Run(output, folder.Path, Path.Combine(tools, "neuralshield"),
            ["audit", "--quiet", "--threads", "1", "--attacks", "fgsm-0.1", "--epochs", "5", "--out", reports], Limit);
        Assert.Contains("report: " + Path.Combine(reports, "report.html"), text);
        Assert.True(File.Exists(Path.Combine(reports, "report.json")));
    }
}
