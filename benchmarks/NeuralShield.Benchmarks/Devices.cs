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

    /// <summary>One libtorch intra-op thread, and one inter-op thread where libtorch still allows setting it.</summary>
    public static void UseOneThread()
    {
        set_num_threads(1);
        if (get_num_interop_threads() == 1) return;
        try
        {
            set_num_interop_threads(1);
        }
        catch (System.Runtime.InteropServices.ExternalException)
        {
            // fixed once parallel work has started in this process
        }
    }
}
