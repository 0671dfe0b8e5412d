using System.Diagnostics;
using System.Runtime.InteropServices;
using NeuralShield.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cuda;

/// <summary>
/// Finds a CUDA libtorch and initialises TorchSharp on it: first the folder named by
/// <c>NEURALSHIELD_LIBTORCH_DIR</c>, then the application's own native folders (a referenced
/// <c>libtorch-cuda-*</c> package), then an existing PyTorch installation found through
/// <c>python3 -c "import torch"</c>. The core library has no CUDA branches: it allocates on the device
/// of the model it is given.
/// </summary>
public static class CudaBackend
{
    /// <summary>The environment variable naming a folder that holds a CUDA libtorch (<c>torch/lib</c> of a PyTorch installation).</summary>
    public const string LibTorchDirectoryVariable = "NEURALSHIELD_LIBTORCH_DIR";

    private static readonly string[] LoadOrder = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>
    /// Loads a CUDA libtorch and initialises TorchSharp's CUDA device type. Returns the folder used.
    /// </summary>
    /// <exception cref="CudaBackendException">No usable CUDA libtorch, or no CUDA device; the message lists what was tried.</exception>
    public static string Initialize()
    {
        var tried = FindCandidates(Environment.GetEnvironmentVariable(LibTorchDirectoryVariable), NativeSearchDirectories(), PythonTorchLibDirectory);
        foreach (var candidate in tried.Where(c => c.Usable))
        {
            foreach (var name in LoadOrder)
            {
                var path = Path.Combine(candidate.Directory!, name);
                if (File.Exists(path)) NativeLibrary.TryLoad(path, out _);
            }
            NativeRuntime.Initialize();
            try
            {
                InitializeDeviceType(DeviceType.CUDA);
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or DllNotFoundException)
            {
                throw new CudaBackendException($"TorchSharp could not initialise CUDA from {candidate.Directory}: {e.Message}", tried);
            }
            if (!cuda.is_available())
                throw new CudaBackendException($"A CUDA libtorch was loaded from {candidate.Directory}, but no CUDA device is available.", tried);
            return candidate.Directory!;
        }
        throw new CudaBackendException("No CUDA libtorch was found. Tried:" + Environment.NewLine +
            string.Join(Environment.NewLine, tried.Select(c => $"  {c.Source}: {c.Directory ?? "(none)"} — {c.Detail}")), tried);
    }

    /// <summary>Whether a CUDA device is usable after <see cref="Initialize"/> (false where it fails).</summary>
    public static bool TryInitialize(out string message)
    {
        try
        {
            message = "CUDA libtorch from " + Initialize();
            return true;
        }
        catch (CudaBackendException e)
        {
            message = e.Message;
            return false;
        }
    }

    /// <summary>The candidate folders in the order they are tried, each with whether it holds <c>libtorch_cuda.so</c>.</summary>
    internal static List<LibTorchCandidate> FindCandidates(string? environmentDirectory, IEnumerable<string> nativeDirectories, Func<(string? Directory, string Detail)> python)
    {
        var result = new List<LibTorchCandidate>
        {
            Inspect(LibTorchDirectoryVariable, string.IsNullOrWhiteSpace(environmentDirectory) ? null : environmentDirectory, "not set"),
        };
        foreach (var dir in nativeDirectories.Distinct(StringComparer.Ordinal))
            result.Add(Inspect("application native folder", dir, ""));
        var (pythonDir, detail) = python();
        result.Add(Inspect("python3 -c \"import torch\"", pythonDir, detail));
        return result;
    }

    private static LibTorchCandidate Inspect(string source, string? directory, string whenMissing)
    {
        if (directory is null) return new LibTorchCandidate(source, null, false, whenMissing);
        if (!Directory.Exists(directory)) return new LibTorchCandidate(source, directory, false, "folder does not exist");
        return File.Exists(Path.Combine(directory, "libtorch_cuda.so"))
            ? new LibTorchCandidate(source, directory, true, "holds libtorch_cuda.so")
            : new LibTorchCandidate(source, directory, false, "no libtorch_cuda.so in it");
    }

    private static IEnumerable<string> NativeSearchDirectories() =>
        AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string dirs
            ? dirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            : [];

    private static (string? Directory, string Detail) PythonTorchLibDirectory()
    {
        try
        {
            var info = new ProcessStartInfo("python3", ["-c", "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(info);
            if (process is null) return (null, "python3 could not be started");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                return (null, "python3 did not answer within 60 s");
            }
            if (process.ExitCode != 0)
                return (null, "python3 has no torch module: " + error.Result.Trim().Split('\n').LastOrDefault());
            return (output.Result.Trim(), "PyTorch installation");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, "python3 not found: " + e.Message);
        }
    }
}
