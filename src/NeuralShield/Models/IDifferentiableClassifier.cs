namespace NeuralShield.Models;

/// <summary>A white-box classifier: its logits are differentiable with respect to the inputs.</summary>
public interface IDifferentiableClassifier : IClassifier
{
    /// <summary>Logits [N, C] for a batch [N, ...], with autograd on. Returns a fresh tensor.</summary>
    Tensor Logits(Tensor inputs);
}
