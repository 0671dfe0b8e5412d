using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NeuralShield.Cli;

/// <summary>The options every command accepts (declared once on the root command, recursive), and the option helpers.</summary>
internal sealed class GlobalOptions
{
    /// <summary>Inter-op threads of libtorch: one, so that the intra-op pool alone decides the CPU use.</summary>
    public const int InteropThreads = 1;

    /// <summary>
    /// Default intra-op threads: half the logical processors this process may use, at least one, so that a
    /// shared machine is not oversubscribed (libtorch's own default takes every core).
    /// </summary>
    public static int DefaultThreads => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary><c>--threads N</c>: libtorch's intra-op CPU threads.</summary>
    public Option<int> Threads { get; } = CreateThreads();

    /// <summary><c>--device cpu|cuda</c>.</summary>
    public Option<string> Device { get; } = CreateDevice();

    private static Option<int> CreateThreads() => new("--threads")
    {
        Description = $"libtorch's intra-op CPU threads, at least 1 (default: half the logical processors, at least 1; " +
                      $"{InteropThreads} inter-op thread)",
        DefaultValueFactory = _ => DefaultThreads,
        CustomParser = result => ParseAtLeastOne(result, "--threads") ?? 0,
        Recursive = true,
    };

    private static Option<string> CreateDevice()
    {
        var option = new Option<string>("--device")
        {
            Description = "cpu, or cuda (a CUDA libtorch found through NEURALSHIELD_LIBTORCH_DIR, the application's native folders or python3's torch)",
            DefaultValueFactory = _ => "cpu",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("cpu", "cuda");
        return option;
    }

    /// <summary>An optional integer option whose value, when given, must be at least 1 (null when not given).</summary>
    public static Option<int?> AtLeastOne(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => ParseAtLeastOne(result, name),
    };

    /// <summary>An optional number option whose value, when given, must be finite and positive (null when not given).</summary>
    public static Option<double?> Positive(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
            if (text is null) return null;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)) return v;
            result.AddError($"{name} must be a positive number (got '{text}').");
            return null;
        },
    };

    private static int? ParseAtLeastOne(ArgumentResult result, string name)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1) return n;
        result.AddError($"{name} must be an integer of at least 1 (got '{text}').");
        return null;
    }
}

/// <summary>Defaults the commands share.</summary>
internal static class CliOptions
{
    /// <summary>Where trained models are cached: <c>NEURALSHIELD_CACHE</c>, else the user's local application data.</summary>
    public static string DefaultCache()
    {
        var env = Environment.GetEnvironmentVariable("NEURALSHIELD_CACHE");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "NeuralShield", "models");
    }
}
