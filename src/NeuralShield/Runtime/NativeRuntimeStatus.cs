using System.Runtime.CompilerServices;

namespace NeuralShield.Runtime;

/// <summary>What <see cref="NativeRuntime.Initialize"/> found and did.</summary>
/// <param name="BridgePath">The TorchSharp native bridge (<c>libLibTorchSharp.so</c>) that was found, or null.</param>
/// <param name="PatchedCopyPath">The compatible copy that was loaded instead, or null when the original loads as shipped.</param>
/// <param name="Message">A one-line account of the decision.</param>
public sealed record NativeRuntimeStatus(string? BridgePath, string? PatchedCopyPath, string Message)
{
    /// <summary>True when a patched copy of the bridge was prepared and loaded.</summary>
    public bool UsedPatchedCopy => PatchedCopyPath is not null;
}
