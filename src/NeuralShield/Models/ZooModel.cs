using static TorchSharp.torch.nn;

namespace NeuralShield.Models;

/// <summary>The <see cref="ModelZoo"/> factories a <see cref="ZooArchitecture"/> can name.</summary>
public enum ZooModel
{
    /// <summary><see cref="ModelZoo.SoftmaxRegression"/>.</summary>
    SoftmaxRegression,
    /// <summary><see cref="ModelZoo.Mlp"/> (hidden widths and activation from the spec).</summary>
    Mlp,
    /// <summary><see cref="ModelZoo.LeNet5"/>.</summary>
    LeNet5,
    /// <summary><see cref="ModelZoo.DistillationCnn"/>.</summary>
    DistillationCnn,
}
