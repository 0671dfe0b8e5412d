using NeuralShield.Cuda;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cuda.Tests;

/// <summary>
/// A test that needs a CUDA device: skipped, with the missing hardware named, where there is none. The only place the
/// test suites skip.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (CudaDevices.SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>
/// Whether a CUDA device is usable here, found once: no NVIDIA driver (and no <c>NEURALSHIELD_LIBTORCH_DIR</c>) means
/// no device, without starting anything; otherwise <see cref="CudaBackend.TryInitialize"/> loads a CUDA libtorch.
/// With <c>NEURALSHIELD_CUDA_TESTS_ON_CPU=1</c> the tests compare the CPU with itself: a check of the tests, not of CUDA.
/// </summary>
internal static class CudaDevices
{
    /// <summary>Set to 1 to run the comparisons CPU against CPU (checks the tests themselves where no GPU is present).</summary>
    public const string SelfCheckVariable = "NEURALSHIELD_CUDA_TESTS_ON_CPU";

    private static readonly Lazy<string?> Reason = new(Probe);

    /// <summary>Null where CUDA is usable (or in the CPU self-check); else why the tests are skipped.</summary>
    public static string? SkipReason => Reason.Value;

    /// <summary>Whether the comparisons run CPU against CPU.</summary>
    public static bool SelfCheck => Environment.GetEnvironmentVariable(SelfCheckVariable) == "1";

    /// <summary>The device compared with the CPU: CUDA, or the CPU in the self-check.</summary>
    public static Device Other => SelfCheck ? CPU : CUDA;

    private static string? Probe()
    {
        if (SelfCheck) return null;
        var driver = File.Exists("/proc/driver/nvidia/version") || File.Exists("/dev/nvidiactl");
        if (!driver && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(CudaBackend.LibTorchDirectoryVariable)))
            return "no CUDA device: this machine has no NVIDIA GPU driver (/proc/driver/nvidia/version and /dev/nvidiactl are absent); " +
                   "these tests compare CUDA with CPU results and need an NVIDIA GPU with a CUDA libtorch";
        if (cuda.is_available()) return null;
        return CudaBackend.TryInitialize(out var message) ? null : "no CUDA device: " + message.ReplaceLineEndings(" ");
    }
}
