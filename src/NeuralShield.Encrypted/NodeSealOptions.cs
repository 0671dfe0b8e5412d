namespace NeuralShield.Encrypted;

/// <summary>Where the Node.js runtime and the node-seal package are, for <see cref="NodeSeal"/>.</summary>
public sealed class NodeSealOptions
{
    /// <summary>
    /// The node executable. Null (default): <c>node</c> on the PATH.
    /// </summary>
    public string? NodeExecutable { get; set; }

    /// <summary>
    /// The <c>node_modules</c> folder that holds node-seal 6.0.3. Null (default): the <c>NEURALSHIELD_NODE_MODULES</c>
    /// environment variable, else the nearest <c>node_modules/node-seal</c> above the application's folder or the current
    /// folder (<c>npm ci</c> in the repository root puts it there).
    /// </summary>
    public string? NodeModulesDirectory { get; set; }

    /// <summary>The longest one SEAL call may take (key generation with many rotations takes seconds). Default 10 minutes.</summary>
    public TimeSpan InvocationTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
