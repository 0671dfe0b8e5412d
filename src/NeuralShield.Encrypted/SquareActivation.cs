using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Encrypted;

/// <summary>x ↦ x², the activation CryptoNets put in place of ReLU: a polynomial, so CKKS evaluates it with one multiplication.</summary>
public sealed class SquareActivation : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the activation.</summary>
    public SquareActivation() : base(nameof(SquareActivation))
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.square();
}
