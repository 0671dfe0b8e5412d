using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace NeuralShield.Runtime;

/// <summary>
/// Prepares TorchSharp's native bridge before TorchSharp initialises. On Linux, TorchSharp 0.107's
/// <c>libLibTorchSharp.so</c> declares a need for <c>GLIBCXX_3.4.32</c> (GCC 13's libstdc++) only for the
/// marker symbol <c>_ZSt21ios_base_library_initv</c>, which has no relocation and is never called.
/// Where the system libstdc++ is older (Debian 12, Ubuntu 22.04: <c>GLIBCXX_3.4.30</c>), the bridge fails
/// to load. This step then writes a copy of the bridge whose single version-need entry names
/// <c>GLIBCXX_3.4.30</c> instead, into a per-user cache (never replacing a system or package file),
/// loads libtorch's libraries and that copy, so that TorchSharp's own load by name finds it.
/// Where the bridge loads as shipped, it does nothing else.
/// </summary>
/// <remarks>
/// Any use of a NeuralShield type runs this first (module initialiser). Applications that touch
/// TorchSharp directly before using NeuralShield call <see cref="Initialize"/> first.
/// The cache folder is <c>NEURALSHIELD_NATIVE_CACHE</c> when set, else the user's local application data.
/// </remarks>
public static class NativeRuntime
{
    private const string BridgeFileName = "libLibTorchSharp.so";
    private static readonly object Gate = new();
    private static NativeRuntimeStatus? _status;

    /// <summary>The outcome of the first <see cref="Initialize"/> call, or null before it.</summary>
    public static NativeRuntimeStatus? Status => _status;

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "TorchSharp's native bridge must be made loadable before any TorchSharp type initialises.")]
    internal static void OnModuleLoad() => Initialize();

    /// <summary>Makes TorchSharp's native bridge loadable on this machine; idempotent and thread-safe.</summary>
    public static NativeRuntimeStatus Initialize()
    {
        lock (Gate)
        {
            if (_status is not null) return _status;
            try
            {
                _status = Prepare();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or DllNotFoundException or BadImageFormatException)
            {
                _status = new NativeRuntimeStatus(null, null, $"Native bridge preparation failed: {e.Message}");
            }
            return _status;
        }
    }

    private static NativeRuntimeStatus Prepare()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return new NativeRuntimeStatus(null, null, "Not Linux x64: TorchSharp loads as shipped.");
        var bridge = FindBridge();
        if (bridge is null)
            return new NativeRuntimeStatus(null, null, "No libLibTorchSharp.so found beside the application; TorchSharp resolves it itself.");
        var directory = Path.GetDirectoryName(bridge)!;
        PreloadLibTorch(directory);
        if (NativeLibrary.TryLoad(bridge, out _))
            return new NativeRuntimeStatus(bridge, null, "The native bridge loads as shipped.");

        var image = File.ReadAllBytes(bridge);
        var needs32 = ElfVersionNeedPatcher.ReadVersionNeeds(image).Any(n => n.Version == "GLIBCXX_3.4.32");
        if (!needs32)
            return new NativeRuntimeStatus(bridge, null, "The native bridge does not load, and not because of GLIBCXX_3.4.32; left to TorchSharp to report.");
        var hash = Convert.ToHexString(SHA256.HashData(image))[..16].ToLowerInvariant();
        ElfVersionNeedPatcher.Rewrite(image, "libstdc++.so.6", "GLIBCXX_3.4.32", "GLIBCXX_3.4.30");
        var target = Path.Combine(CacheRoot(), hash, BridgeFileName);
        WriteAtomically(target, image);
        NativeLibrary.Load(target);
        return new NativeRuntimeStatus(bridge, target, "Loaded a copy of the native bridge whose GLIBCXX_3.4.32 need reads GLIBCXX_3.4.30.");
    }

    /// <summary>libtorch's own libraries, loaded by path so that a bridge copy elsewhere binds to them by soname.</summary>
    private static void PreloadLibTorch(string directory)
    {
        foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path) || !NativeLibrary.TryLoad(path, out _))
                NativeLibrary.TryLoad(name, out _); // a CUDA libtorch on LD_LIBRARY_PATH
        }
    }

    internal static string? FindBridge()
    {
        var dirs = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
            dirs.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        var torchSharpDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        foreach (var root in new[] { torchSharpDir, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(root)) continue;
            dirs.Add(root);
            dirs.Add(Path.Combine(root, "runtimes", "linux-x64", "native"));
        }
        return dirs.Select(d => Path.Combine(d, BridgeFileName)).FirstOrDefault(File.Exists);
    }

    private static string CacheRoot()
    {
        var configured = Environment.GetEnvironmentVariable("NEURALSHIELD_NATIVE_CACHE");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "NeuralShield", "native");
    }

    private static void WriteAtomically(string target, byte[] image)
    {
        if (File.Exists(target) && new FileInfo(target).Length == image.Length && File.ReadAllBytes(target).AsSpan().SequenceEqual(image))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temp, image);
        try
        {
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
