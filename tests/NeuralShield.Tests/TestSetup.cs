using System.Runtime.CompilerServices;

namespace NeuralShield.Tests;

/// <summary>Prepares TorchSharp's native bridge before any test touches TorchSharp directly.</summary>
internal static class TestSetup
{
    [ModuleInitializer]
    internal static void Initialize() => NeuralShield.Runtime.NativeRuntime.Initialize();
}

/// <summary>Paths of the shared reference data, seen from the repository root.</summary>
internal static class SharedData
{
    public static string Root { get; } = FindRoot();

    public static string Mnist => Path.Combine(Root, "data", "mnist");

    public static string Adult => Path.Combine(Root, "data", "adult");

    public static string Sklearn => Path.Combine(Root, "data", "sklearn");

    public static string Models => Path.Combine(Root, "models");

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("NEURALSHIELD_SHARED");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data", "mnist"))) return candidate;
        }
        throw new DirectoryNotFoundException("The shared reference data folder (../shared/data) was not found above " + AppContext.BaseDirectory + "; set NEURALSHIELD_SHARED.");
    }
}
