using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.PyTorch;

/// <summary>What <see cref="PyTorchWeights.Load(nn.Module, string, PyTorchLoadOptions?)"/> did.</summary>
/// <param name="Loaded">The module's names that received a tensor from the file.</param>
/// <param name="Missing">The module's parameters and buffers the file did not give (empty when strict).</param>
/// <param name="Unexpected">The file's keys (as renamed) that match nothing in the module (empty when strict).</param>
/// <param name="Ignored">The file's keys left out by <see cref="PyTorchLoadOptions.Ignore"/>.</param>
public sealed record PyTorchLoadReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> Ignored);
