using System.Text;
using Jering.Javascript.NodeJS;
using Microsoft.Extensions.DependencyInjection;

namespace NeuralShield.Encrypted;

/// <summary>
/// One Node.js process running seal-ckks.js for one party, called through Jering.Javascript.NodeJS. Every call that
/// crosses into the process can be observed (<see cref="Sent"/>), which is how the tests check what an evaluator receives.
/// </summary>
internal sealed class NodeSealProcess : IDisposable
{
    private const string ModuleFileName = "seal-ckks.js";
    private readonly ServiceProvider _services;
    private readonly INodeJSService _node;
    private readonly string _module;

    private NodeSealProcess(ServiceProvider services, string module)
    {
        _services = services;
        _node = services.GetRequiredService<INodeJSService>();
        _module = module;
    }

    /// <summary>Receives the function name and the arguments of every call into the process, before it is made.</summary>
    public Action<string, object?[]>? Sent { get; set; }

    /// <summary>Starts a process for <paramref name="party"/> ("client" or "evaluator") and sets up the parameters.</summary>
    /// <exception cref="NodeSealMissingException">Node.js or node-seal is not found.</exception>
    /// <exception cref="ArgumentException">SEAL rejects the parameters at 128-bit security.</exception>
    public static NodeSealProcess Start(string party, CkksParameters parameters, NodeSealOptions? options, Action<string, object?[]>? sent,
        out int slots, CancellationToken cancellationToken)
    {
        options ??= new NodeSealOptions();
        var node = FindNode(options.NodeExecutable);
        var modules = FindNodeModules(options.NodeModulesDirectory);
        var module = FindModule();
        var services = new ServiceCollection();
        services.AddNodeJS();
        services.Configure<NodeJSProcessOptions>(o =>
        {
            o.ProjectPath = Path.GetDirectoryName(module)!;
            o.ExecutablePath = node;
            o.EnvironmentVariables = new Dictionary<string, string> { ["NODE_PATH"] = modules };
        });
        services.Configure<OutOfProcessNodeJSServiceOptions>(o =>
        {
            o.TimeoutMS = (int)Math.Min(int.MaxValue, options.InvocationTimeout.TotalMilliseconds);
            o.NumRetries = 0;
            o.NumProcessRetries = 0;
            o.EnableFileWatching = false;
        });
        var process = new NodeSealProcess(services.BuildServiceProvider(), module) { Sent = sent };
        try
        {
            var reply = process.Invoke<SetupReply>("setup", cancellationToken, party, parameters.PolyModulusDegree,
                parameters.CoefficientModulusBits.ToArray(), parameters.ScaleBits);
            slots = reply.Slots;
            return process;
        }
        catch (Exception e) when (e is InvocationException or InvalidOperationException)
        {
            process.Dispose();
            if (e.Message.Contains("SEAL rejects", StringComparison.Ordinal))
                throw new ArgumentException(FirstLine(e.Message, "SEAL rejects") + $" ({parameters})", nameof(parameters), e);
            if (e.Message.Contains("node-seal", StringComparison.Ordinal) && e.Message.Contains("Cannot find module", StringComparison.Ordinal))
                throw new NodeSealMissingException($"Node.js could not load node-seal from {modules}", e);
            if (e is not InvocationException)
                throw new NodeSealMissingException($"Node.js ({node}) did not start", e);
            throw;
        }
    }

    /// <summary>Calls an exported function of seal-ckks.js.</summary>
    public T Invoke<T>(string function, CancellationToken cancellationToken, params object?[] args)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Sent?.Invoke(function, args);
        try
        {
            return _node.InvokeFromFileAsync<T>(_module, function, args, cancellationToken).GetAwaiter().GetResult()!;
        }
        catch (InvocationException e) when (!e.Message.Contains("SEAL rejects", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"SEAL ({function}) failed: {FirstLine(e.Message, "Error")}", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _services.Dispose();

    private static string FirstLine(string message, string marker)
    {
        var start = message.IndexOf(marker, StringComparison.Ordinal);
        var text = start >= 0 ? message[start..] : message;
        var end = text.IndexOf('\n');
        return (end >= 0 ? text[..end] : text).Trim();
    }

    internal static string FindNode(string? configured)
    {
        if (configured is not null)
        {
            if (!File.Exists(configured)) throw new NodeSealMissingException($"Node.js was not found at {configured}");
            return configured;
        }
        var name = OperatingSystem.IsWindows() ? "node.exe" : "node";
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new NodeSealMissingException("Node.js (the node executable) was not found on the PATH");
    }

    internal static string FindNodeModules(string? configured)
    {
        configured ??= Environment.GetEnvironmentVariable("NEURALSHIELD_NODE_MODULES");
        if (configured is not null)
        {
            if (!File.Exists(Path.Combine(configured, "node-seal", "package.json")))
                throw new NodeSealMissingException($"node-seal was not found in {configured}");
            return Path.GetFullPath(configured);
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "node_modules");
                if (File.Exists(Path.Combine(candidate, "node-seal", "package.json"))) return candidate;
            }
        }
        throw new NodeSealMissingException($"node-seal was not found in a node_modules folder above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
    }

    private static string FindModule()
    {
        foreach (var dir in new[] { Path.GetDirectoryName(typeof(NodeSealProcess).Assembly.Location), AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            var candidate = Path.Combine(dir, ModuleFileName);
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"{ModuleFileName} is missing beside NeuralShield.Encrypted.dll (it ships in the package's content files)");
    }

    /// <summary>The key fingerprint: SHA-256 of the serialised public key, hexadecimal.</summary>
    internal static string Fingerprint(string publicKey) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(publicKey)))[..16];

    private sealed class SetupReply
    {
        public int Slots { get; set; }

        public string Version { get; set; } = "";

        public int MaxBits { get; set; }
    }
}
