using System.Runtime.InteropServices;
using NeuralShield.Attacks.Evasion;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cuda;

/// <summary>
/// Batch sizes and working-memory budgets for the memory-heavy loops (the JSMA pair search, per-sample gradients,
/// ensembles of models) chosen from the free memory of the device.
/// <para>
/// On a CUDA device the working memory is <see cref="DefaultFreeFraction"/> of the device's free memory (asked of the
/// CUDA runtime, <c>cudaMemGetInfo</c>, or of the driver, NVML), at most <see cref="MaximumWorkingMemoryBytes"/>.
/// On the CPU, or where the free memory cannot be read, it is the documented CPU default
/// <see cref="CpuWorkingMemoryBytes"/> (64 MiB, the default JSMA pair-search budget): larger blocks are not faster on
/// the CPU, because temporaries above the C allocator's threshold are mapped afresh for every block.
/// </para>
/// </summary>
public static class DeviceMemory
{
    /// <summary>The working memory on the CPU, and wherever the free device memory cannot be read: 64 MiB.</summary>
    public const long CpuWorkingMemoryBytes = JsmaOptions.DefaultPairSearchMemoryBytes;

    /// <summary>The share of the free device memory a loop may take for its temporaries: one half.</summary>
    public const double DefaultFreeFraction = 0.5;

    /// <summary>The most working memory chosen on a device, whatever is free: 8 GiB.</summary>
    public const long MaximumWorkingMemoryBytes = 8L << 30;

    /// <summary>Bytes of temporaries per pair score in <see cref="Jsma"/>'s pair search (α and β' columns, the score, a mask, slack).</summary>
    public const long JsmaBytesPerPairScore = 20;

    /// <summary>
    /// Free memory of <paramref name="device"/> in bytes: for CUDA, what the CUDA runtime (or NVML) reports; null on
    /// the CPU and wherever neither library answers.
    /// </summary>
    public static long? FreeBytes(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type != DeviceType.CUDA) return null;
        var index = Math.Max(0, device.index);
        return (index == 0 ? CudaRuntimeFreeBytes() : null) ?? NvmlFreeBytes(index);
    }

    /// <summary>
    /// The working memory a loop may use on <paramref name="device"/>: <paramref name="fraction"/> of the free device
    /// memory, at most <see cref="MaximumWorkingMemoryBytes"/> and at least <see cref="CpuWorkingMemoryBytes"/>;
    /// <see cref="CpuWorkingMemoryBytes"/> on the CPU or where the free memory is unknown.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in (0, 1].</exception>
    public static long WorkingMemory(Device device, double fraction = DefaultFreeFraction) => WorkingMemory(FreeBytes(device), fraction);

    /// <summary>
    /// The batch size for a loop whose temporaries take about <paramref name="bytesPerSample"/> bytes a sample:
    /// <see cref="WorkingMemory(Device, double)"/> / bytesPerSample, between 1 and <paramref name="maximum"/>. On the
    /// CPU this is <see cref="CpuWorkingMemoryBytes"/> / bytesPerSample (the documented CPU fallback).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or <paramref name="fraction"/> is not in (0, 1].</exception>
    public static int BatchSize(Device device, long bytesPerSample, int maximum, double fraction = DefaultFreeFraction) =>
        BatchSize(WorkingMemory(device, fraction), bytesPerSample, maximum);

    /// <summary>
    /// The memory budget of <see cref="Jsma"/>'s pair search (<see cref="JsmaOptions.PairSearchMemoryBytes"/>) on
    /// <paramref name="device"/> for samples of <paramref name="features"/> features: as many whole rows of pair
    /// scores (features × <see cref="JsmaBytesPerPairScore"/> bytes each) as the working memory holds, and at least one
    /// row. On the CPU: <see cref="JsmaOptions.DefaultPairSearchMemoryBytes"/> (64 MiB), the JSMA default.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> is not positive.</exception>
    public static long JsmaPairSearchBytes(Device device, long features, double fraction = DefaultFreeFraction) =>
        JsmaPairSearchBytes(FreeBytes(device), features, fraction);

    /// <summary><see cref="WorkingMemory(Device, double)"/> for a known free memory (null: unknown or CPU).</summary>
    internal static long WorkingMemory(long? freeBytes, double fraction)
    {
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "fraction must lie in (0, 1].");
        if (freeBytes is not { } free || free <= 0) return CpuWorkingMemoryBytes;
        return Math.Clamp((long)(free * fraction), CpuWorkingMemoryBytes, MaximumWorkingMemoryBytes);
    }

    /// <summary>workingBytes / bytesPerSample between 1 and <paramref name="maximum"/>.</summary>
    internal static int BatchSize(long workingBytes, long bytesPerSample, int maximum)
    {
        if (bytesPerSample <= 0) throw new ArgumentOutOfRangeException(nameof(bytesPerSample), bytesPerSample, "bytesPerSample must be positive.");
        if (maximum <= 0) throw new ArgumentOutOfRangeException(nameof(maximum), maximum, "maximum must be positive.");
        return (int)Math.Clamp(workingBytes / bytesPerSample, 1, maximum);
    }

    /// <summary><see cref="JsmaPairSearchBytes(Device, long, double)"/> for a known free memory (null: unknown or CPU).</summary>
    internal static long JsmaPairSearchBytes(long? freeBytes, long features, double fraction)
    {
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "features must be positive.");
        if (freeBytes is null) return JsmaOptions.DefaultPairSearchMemoryBytes;
        var row = features * JsmaBytesPerPairScore;
        var rows = Math.Max(1, WorkingMemory(freeBytes, fraction) / row);
        return Math.Max(JsmaOptions.MinimumPairSearchMemoryBytes, rows * row);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CudaMemGetInfo(out nuint free, out nuint total);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NvmlInit();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NvmlDeviceGetHandleByIndex(uint index, out IntPtr device);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NvmlDeviceGetMemoryInfo(IntPtr device, out NvmlMemory memory);

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    /// <summary>cudaMemGetInfo of the current device; the CUDA runtime is the one libtorch already loaded (found by its soname).</summary>
    private static long? CudaRuntimeFreeBytes()
    {
        foreach (var name in new[] { "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "libcudart.so" })
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "cudaMemGetInfo", out var address)) continue;
            var query = Marshal.GetDelegateForFunctionPointer<CudaMemGetInfo>(address);
            if (query(out var free, out _) == 0) return (long)free;
        }
        return null;
    }

    /// <summary>Free memory of device <paramref name="index"/> as the NVIDIA driver's NVML reports it.</summary>
    private static long? NvmlFreeBytes(int index)
    {
        if (!NativeLibrary.TryLoad("libnvidia-ml.so.1", out var handle)) return null;
        if (!NativeLibrary.TryGetExport(handle, "nvmlInit_v2", out var init)
            || !NativeLibrary.TryGetExport(handle, "nvmlDeviceGetHandleByIndex_v2", out var byIndex)
            || !NativeLibrary.TryGetExport(handle, "nvmlDeviceGetMemoryInfo", out var memoryInfo)) return null;
        if (Marshal.GetDelegateForFunctionPointer<NvmlInit>(init)() != 0) return null;
        if (Marshal.GetDelegateForFunctionPointer<NvmlDeviceGetHandleByIndex>(byIndex)((uint)index, out var device) != 0) return null;
        return Marshal.GetDelegateForFunctionPointer<NvmlDeviceGetMemoryInfo>(memoryInfo)(device, out var memory) == 0 ? (long)memory.Free : null;
    }
}
