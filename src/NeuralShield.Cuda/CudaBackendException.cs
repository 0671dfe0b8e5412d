using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Cuda;

/// <summary>The CUDA backend could not be initialised; the message lists every place that was tried.</summary>
public sealed class CudaBackendException(string message, IReadOnlyList<LibTorchCandidate> tried) : InvalidOperationException(message)
{
    /// <summary>Every place that was tried, in order.</summary>
    public IReadOnlyList<LibTorchCandidate> Tried { get; } = tried;
}
