namespace NeuralShield.Encrypted;

/// <summary>Node.js or the npm package node-seal (Microsoft SEAL as WebAssembly) is not installed where <see cref="NodeSeal"/> looks.</summary>
public sealed class NodeSealMissingException : InvalidOperationException
{
    /// <summary>The text that says how to install both.</summary>
    public const string InstallHint =
        "NeuralShield.Encrypted runs Microsoft SEAL through Node.js 20 or newer and the npm package node-seal 6.0.3: install Node.js 20, " +
        "then run `npm ci` in the NeuralShield repository root (its package-lock.json pins node-seal 6.0.3), or run `npm install node-seal@6.0.3` " +
        "anywhere and set NodeSealOptions.NodeModulesDirectory (or NEURALSHIELD_NODE_MODULES) to that node_modules folder.";

    /// <summary>Creates the exception for what is missing.</summary>
    public NodeSealMissingException(string missing) : base($"{missing}. {InstallHint}")
    {
    }

    /// <summary>Creates the exception for what is missing, with the failure that showed it.</summary>
    public NodeSealMissingException(string missing, Exception inner) : base($"{missing}. {InstallHint}", inner)
    {
    }
}
