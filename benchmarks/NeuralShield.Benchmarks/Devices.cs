using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Benchmarks;

/// <summary>The devices a benchmark can run on here: "cpu", and "cuda" where TorchSharp sees a GPU.</summary>
public static class Devices
{
    public static IEnumerable<string> Available()
    {
        yield return "cpu";
        if (cuda.is_available()) yield return "cuda";
    }

    public static Device Resolve(string name) => name == "cuda" ? CUDA : CPU;

    /// <summary>Waits for queued GPU work so that timings include it.</summary>
    public static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize();
    }
}
