namespace NeuralShield.Models;

/// <summary>A classifier backed by a TorchSharp module that maps inputs [N, ...] to logits: what layer-wise tools need.</summary>
public interface ITorchModel : IDifferentiableClassifier
{
    /// <summary>The module (inputs → logits).</summary>
    nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>The per-sample input shape, when known.</summary>
    IReadOnlyList<long>? InputShape { get; }
}
