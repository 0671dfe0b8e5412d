using TorchSharp.Modules;

namespace NeuralShield.Attacks.Inference;

/// <summary>How a model's parameters become the meta-classifier's feature vector.</summary>
public enum ParameterRepresentation
{
    /// <summary>
    /// Ganju et al.'s permutation-invariant form: the neurons of every hidden layer sorted by a canonical key (the sum
    /// of their incoming weights and bias), the next layer's inputs permuted to match, then flattened. Two networks
    /// that differ only in the order of their hidden neurons (the same function) get the same vector.
    /// </summary>
    Sorted,

    /// <summary>Ateniese et al.'s plain form: every weight and bias flattened in storage order.</summary>
    Flattened,
}
