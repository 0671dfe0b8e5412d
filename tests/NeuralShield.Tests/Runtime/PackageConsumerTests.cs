using System.Globalization;
using System.Text.RegularExpressions;
using NeuralShield.Tests.Shared;
using Xunit.Abstractions;

namespace NeuralShield.Tests.Runtime;

/// <summary>
/// The NeuralShield package packed once into a local feed folder, with one restore folder that the consumer
/// applications share (so TorchSharp-cpu is extracted once). Deleted when the tests are done.
/// </summary>
public sealed class PackedPackage : IDisposable
{
    private readonly object _gate = new();
    private bool _packed;

    public PackedPackage()
    {
        Work = Directory.CreateTempSubdirectory("ns-consumer-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(Work, "feed")).FullName;
        Packages = Path.Combine(Work, "packages");
        Version = "0.0.0-consumertest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
    }

    public string Work { get; }

    public string Feed { get; }

    public string Packages { get; }

    public string Version { get; }

    /// <summary>Packs src/NeuralShield into the feed on first use.</summary>
    public void EnsurePacked(Func<string, string, string[], string> run)
    {
        lock (_gate)
        {
            if (_packed) return;
            var repo = PackageConsumerTests.FindRepositoryRoot();
            run(repo, "dotnet", ["pack", Path.Combine(repo, "src", "NeuralShield", "NeuralShield.csproj"), "-c", "Release", "-o", Feed, $"-p:Version={Version}",
                $"-p:IntermediateOutputPath={Path.Combine(Work, "obj")}/", $"-p:OutputPath={Path.Combine(Work, "bin")}/", "--nologo"]);
            _packed = true;
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// Applications that reference the NeuralShield NuGet package (not this repository's projects) work on this machine:
/// the package is packed, a fresh console project references it and TorchSharp-cpu, and its output shows TorchSharp
/// computing, and the library training a model and attacking it.
/// </summary>
public class PackageConsumerTests(PackedPackage package, ITestOutputHelper output) : IClassFixture<PackedPackage>
{
    [Fact]
    public void ApplicationReferencingThePackageLoadsTorchSharp()
    {
        // With a RuntimeIdentifier (docs/getting-started.md) the output holds libtorch for that system only.
        var result = RunConsumer("loads", """
            var bounds = NeuralShield.InputBounds.Unit;
            NeuralShield.Runtime.TorchThreads.Set(intraOp: 1);
            using var x = TorchSharp.torch.ones(3, 4);
            Console.WriteLine($"sum={x.sum().item<float>()} bounds={bounds} threads={NeuralShield.Runtime.TorchThreads.IntraOp}");
            """, "<RuntimeIdentifier>linux-x64</RuntimeIdentifier>");
        Assert.Contains("sum=12 bounds=[0, 1] threads=1", result);
        var bin = Path.Combine(package.Work, "app-loads", "bin", "Release", "net10.0", "linux-x64");
        Assert.True(Directory.Exists(bin), bin);
        var files = Directory.GetFiles(bin, "*", SearchOption.AllDirectories);
        // ONNX Runtime, ScottPlot and PyBridge come only with the packages that need them (SkiaSharp does come: TorchSharp uses it).
        Assert.DoesNotContain(files, f => f.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase)
            || Path.GetFileName(f) is "ScottPlot.dll" or "TorchSharp.PyBridge.dll");
        Assert.DoesNotContain(files, f => Path.GetFileName(f) is "torch_cpu.dll" or "libtorch_cpu.dylib");
        Assert.Contains(files, f => Path.GetFileName(f) == "libtorch_cpu.so");
        var megabytes = files.Sum(f => new FileInfo(f).Length) / 1e6;
        output.WriteLine($"bin size with RuntimeIdentifier linux-x64: {megabytes:F0} MB");
        Assert.InRange(megabytes, 300, 600); // measured 483 MB (libtorch CPU for Linux x64 is most of it); about 1 GB without a RuntimeIdentifier
    }

    [Fact]
    public void ApplicationReferencingThePackageTrainsAndAttacksAModel()
    {
        // Softmax regression on the embedded digits (8×8, 10 classes), then FGSM and PGD at ε = 0.3 on the held-out part.
        var result = RunConsumer("trains", """
            using NeuralShield;
            using NeuralShield.Attacks;
            using NeuralShield.Attacks.Evasion;
            using NeuralShield.Data;
            using NeuralShield.Models;
            using NeuralShield.Training;
            using static System.FormattableString;

            using var digits = Datasets.Digits();
            var (train, test) = digits.Split(0.8, seed: 1);
            var module = ModelZoo.SoftmaxRegression(64, 10, seed: 1);
            new Trainer(new TrainingOptions { Epochs = 20, BatchSize = 64, LearningRate = 1e-2, Seed = 1 }).Fit(module, train);
            using var model = new TorchClassifier(module, 10, InputBounds.Unit, ownsModule: true);
            var accuracy = ModelAccuracy.Of(model, test);
            var goal = AttackGoal.Untargeted(test.Labels);
            using var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.3 }).Run(model, test.Features, goal);
            using var pgd = new Pgd(new PgdOptions { Epsilon = 0.3, StepSize = 0.05, Steps = 10, Seed = 1 }).Run(model, test.Features, goal);
            Console.WriteLine(Invariant($"samples={test.Count} accuracy={accuracy:F4} fgsm={fgsm.Metrics.SuccessRate:F4} pgd={pgd.Metrics.SuccessRate:F4}"));
            """);
        var match = Regex.Match(result, @"samples=(\d+) accuracy=([0-9.]+) fgsm=([0-9.]+) pgd=([0-9.]+)");
        Assert.True(match.Success, "the consumer printed no result line:\n" + result);
        var samples = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var accuracy = double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        var fgsm = double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);
        var pgd = double.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture);
        Assert.Equal(359, samples); // 1797 digits, 20% held out
        Assert.InRange(accuracy, 0.85, 1.0);
        Assert.InRange(fgsm, 0.5, 1.0);
        Assert.InRange(pgd, 0.5, 1.0);
        // Ten projected steps inside the same ball do at least about as well as the single FGSM step.
        Assert.True(pgd >= fgsm - 0.05, $"PGD success {pgd} is well below FGSM's {fgsm}");
    }

    /// <summary>Writes a console app named <paramref name="name"/> with <paramref name="program"/> as Program.cs, runs it, returns its output.</summary>
    private string RunConsumer(string name, string program, string extraProperties = "")
    {
        package.EnsurePacked(Run);
        var app = Directory.CreateDirectory(Path.Combine(package.Work, "app-" + name)).FullName;
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>{package.Packages}</RestorePackagesPath>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NeuralShield" Version="{package.Version}" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        // The machine's own package sources stay in force; the feed folder is added beside them.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local-feed" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);
        return Run(app, "dotnet", ["run", "-c", "Release", "--nologo"]);
    }

    private string Run(string directory, string file, params string[] args) =>
        ExternalProcess.Run(output, directory, file, args, TimeSpan.FromMinutes(8));

    internal static string FindRepositoryRoot() => ExternalProcess.RepositoryRoot();
}
