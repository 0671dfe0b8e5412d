using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cuda;

/// <summary>One place the CUDA backend looked for a CUDA libtorch, and what it found there.</summary>
/// <param name="Source">Where the folder came from: the environment variable, the application's native folders, or python3.</param>
/// <param name="Directory">The folder, or null when the source named none.</param>
/// <param name="Usable">Whether the folder holds <c>libtorch_cuda.so</c>.</param>
/// <param name="Detail">Why it is not usable, or what it holds.</param>
public sealed record LibTorchCandidate(string Source, string? Directory, bool Usable, string Detail);
