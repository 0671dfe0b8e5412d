using System.CommandLine;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cli;

/// <summary>Options shared by the commands.</summary>
internal static class CliOptions
{
    public static Option<string> DeviceOption()
    {
        var option = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        option.AcceptOnlyFromAmong("cpu", "cuda");
        return option;
    }

    public static Device ResolveDevice(string name)
    {
        if (name == "cpu") return CPU;
        if (!cuda.is_available())
            throw new InvalidOperationException("--device cuda was asked for, but TorchSharp found no CUDA device (a CUDA libtorch and a GPU are needed).");
        return CUDA;
    }

    public static string DefaultCache()
    {
        var env = Environment.GetEnvironmentVariable("NEURALSHIELD_CACHE");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "NeuralShield", "models");
    }
}
