using System.CommandLine;
using NeuralShield.Cuda;
using NeuralShield.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cli;

/// <summary>A mistake of the user or of the machine's setup, reported as one line on stderr with exit code 1.</summary>
internal sealed class CliUserException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What a command's action receives: the device and thread count already applied, and where to write.</summary>
/// <param name="Device">The torch device chosen by <c>--device</c>, initialised.</param>
/// <param name="Threads">libtorch's intra-op threads, already set.</param>
/// <param name="Out">Standard output of this invocation.</param>
internal sealed record CommandContext(Device Device, int Threads, TextWriter Out);

/// <summary>
/// Wraps every command's action: initialises the device and the thread pools before any TorchSharp compute, and turns
/// user errors (<see cref="CliUserException"/>, file-system errors, an unavailable CUDA backend) into one line on
/// stderr with exit code 1. Anything else is an internal error: its details go to stderr with exit code 3 (2 is a missed audit gate).
/// </summary>
internal static class CommandRunner
{
    /// <summary>Exit code of a user error.</summary>
    public const int UserError = 1;

    /// <summary>Exit code of an unexpected internal error.</summary>
    public const int InternalError = 3;

    /// <summary>Sets <paramref name="action"/> as the action of <paramref name="command"/>, behind the wrapper.</summary>
    public static void SetAction(Command command, GlobalOptions globals, Func<ParseResult, CommandContext, CancellationToken, int> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction((parse, ct) => Task.FromResult(Invoke(parse, globals, action, ct)));
    }

    internal static int Invoke(ParseResult parse, GlobalOptions globals, Func<ParseResult, CommandContext, CancellationToken, int> action, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var device = UseDevice(parse.GetValue(globals.Device) ?? "cpu");
            var threads = parse.GetValue(globals.Threads);
            ApplyThreads(threads);
            return action(parse, new CommandContext(device, threads, output), cancellationToken);
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine("neuralshield: " + OneLine(e.Message));
            return UserError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("neuralshield: cancelled");
            return 130;
        }
        catch (Exception e)
        {
            error.WriteLine("neuralshield: internal error: " + e);
            return InternalError;
        }
    }

    private static bool IsUserError(Exception e) => e is CliUserException or NeuralShield.Reproductions.ReproductionSettingException or IOException or UnauthorizedAccessException;

    /// <summary>Collapses a message onto one line, without the " (Parameter 'name')" that .NET appends to an argument exception's message.</summary>
    internal static string OneLine(string message) => System.Text.RegularExpressions.Regex.Replace(
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)), @" ?\(Parameter '[^']*'\)", "");

    /// <summary>
    /// Prepares the native runtime for <paramref name="name"/> (cpu: the bundled libtorch; cuda: a CUDA libtorch found by
    /// <see cref="CudaBackend"/>) before TorchSharp loads anything, and returns the device.
    /// </summary>
    internal static Device UseDevice(string name)
    {
        switch (name)
        {
            case "cpu":
                NativeRuntime.Initialize();
                return CpuDevice();
            case "cuda":
                try
                {
                    CudaBackend.Initialize();
                }
                catch (CudaBackendException e)
                {
                    throw new CliUserException(DescribeCudaFailure(e), e);
                }
                return CudaDevice();
            default:
                throw new CliUserException($"unknown device '{name}' (use cpu or cuda).");
        }
    }

    /// <summary>One line: why CUDA is unavailable, with every place the backend tried.</summary>
    internal static string DescribeCudaFailure(CudaBackendException e)
    {
        var tried = string.Join("; ", e.Tried.Select(c => $"{c.Source}: {c.Directory ?? "(none)"} ({c.Detail})"));
        var reason = e.Tried.Any(c => c.Usable) ? "--device cuda: " + OneLine(e.Message) : "--device cuda: no CUDA libtorch was found.";
        return $"{reason} Tried {tried}. Set {CudaBackend.LibTorchDirectoryVariable} to a folder holding libtorch_cuda.so, or use --device cpu.";
    }

    /// <summary>Sets libtorch's intra-op threads, and once per process its inter-op threads (<see cref="GlobalOptions.InteropThreads"/>).</summary>
    internal static void ApplyThreads(int threads)
    {
        if (threads < 1) throw new CliUserException($"--threads must be at least 1 (got {threads}).");
        NeuralShield.Runtime.TorchThreads.Set(threads, GlobalOptions.InteropThreads);
    }

    private static Device CpuDevice() => CPU;

    private static Device CudaDevice() => CUDA;
}
