using System.Diagnostics;
using Xunit.Abstractions;

namespace NeuralShield.Tests.Runtime;

/// <summary>
/// An application that references the NeuralShield NuGet package (not this repository's projects)
/// loads TorchSharp on this machine: the package is packed, a fresh console project references it and
/// TorchSharp-cpu, and its output shows TorchSharp computing.
/// </summary>
public class PackageConsumerTests(ITestOutputHelper output)
{
    [Fact]
    public void ApplicationReferencingThePackageLoadsTorchSharp()
    {
        var repo = FindRepositoryRoot();
        var work = Directory.CreateTempSubdirectory("ns-consumer-").FullName;
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;
            var version = "0.0.0-consumertest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss");
            Run(repo, "dotnet", "pack", Path.Combine(repo, "src", "NeuralShield", "NeuralShield.csproj"), "-c", "Release", "-o", feed, $"-p:Version={version}",
                $"-p:IntermediateOutputPath={Path.Combine(work, "obj")}/", $"-p:OutputPath={Path.Combine(work, "bin")}/", "--nologo");

            var app = Directory.CreateDirectory(Path.Combine(work, "app")).FullName;
            File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <RestorePackagesPath>{Path.Combine(work, "packages")}</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="NeuralShield" Version="{version}" />
                    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                var bounds = NeuralShield.Models.InputBounds.Unit;
                using var x = TorchSharp.torch.ones(3, 4);
                Console.WriteLine($"sum={x.sum().item<float>()} bounds={bounds}");
                """);
            // The machine's own package sources stay in force; the feed folder is added beside them.
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local-feed" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var result = Run(app, "dotnet", "run", "-c", "Release", "--nologo");
            Assert.Contains("sum=12 bounds=[0, 1]", result);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private string Run(string directory, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("MSBuildSDKsPath");
        info.Environment.Remove("MSBuildExtensionsPath");
        info.Environment.Remove("MSBUILD_EXE_PATH");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 8 minutes");
        }
        var text = stdout.Result + stderr.Result;
        output.WriteLine($"$ {file} {string.Join(' ', args)}\n{text}");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({process.ExitCode}):\n{text}");
        return text;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuralShield.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("NeuralShield.sln was not found above " + AppContext.BaseDirectory);
    }
}
