using static TorchSharp.torch.nn;

namespace NeuralShield.Models;

/// <summary>
/// A zoo architecture by name and settings: plain values that can be written down, sent to another process and turned
/// back into the same module. Use its <see cref="Create"/> as a recipe's architecture
/// (<c>Architecture = spec.Create</c>) so that a training service that runs elsewhere can rebuild the recipe
/// (<see cref="Of"/>).
/// </summary>
/// <param name="Model">The factory.</param>
/// <param name="InputFeatures">Inputs per sample (flattened) for <see cref="ZooModel.SoftmaxRegression"/> and <see cref="ZooModel.Mlp"/>; ignored by the CNNs.</param>
/// <param name="Classes">Output classes (at least 2).</param>
/// <param name="Hidden">Hidden-layer widths of <see cref="ZooModel.Mlp"/>; null for the others.</param>
/// <param name="Activation">Hidden non-linearity (<see cref="ZooModel.Mlp"/> and the CNNs).</param>
/// <param name="Channels">Input channels of the CNNs. Default 1.</param>
public sealed record ZooArchitecture(ZooModel Model, int InputFeatures, int Classes, IReadOnlyList<int>? Hidden = null, Activation Activation = Activation.ReLU, int Channels = 1)
{
    /// <summary>An MLP spec: <paramref name="inputFeatures"/>, hidden widths <paramref name="hidden"/>, <paramref name="classes"/> outputs.</summary>
    public static ZooArchitecture Mlp(int inputFeatures, IReadOnlyList<int> hidden, int classes, Activation activation = Activation.ReLU)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        return new ZooArchitecture(ZooModel.Mlp, inputFeatures, classes, hidden.ToArray(), activation);
    }

    /// <summary>A fresh module of this architecture with weights seeded by <paramref name="seed"/> (the zoo factory's).</summary>
    /// <exception cref="ArgumentException">A setting is out of range for the factory (the message names it).</exception>
    public Module<Tensor, Tensor> Create(long seed)
    {
        Guard.Defined(Model, nameof(Model));
        return Model switch
        {
            ZooModel.SoftmaxRegression => ModelZoo.SoftmaxRegression(InputFeatures, Classes, seed),
            ZooModel.Mlp => ModelZoo.Mlp(InputFeatures, Hidden ?? throw new ArgumentException("An MLP spec needs its hidden widths.", nameof(Hidden)), Classes, Activation, seed),
            ZooModel.LeNet5 => ModelZoo.LeNet5(Classes, Channels, Activation, seed),
            _ => ModelZoo.DistillationCnn(Classes, Channels, Activation, seed),
        };
    }

    /// <summary>The spec behind <paramref name="architecture"/> when it is a spec's <see cref="Create"/> (<c>Architecture = spec.Create</c>), else null.</summary>
    public static ZooArchitecture? Of(Func<long, Module<Tensor, Tensor>>? architecture) =>
        architecture?.Target is ZooArchitecture spec && architecture.Method.Name == nameof(Create) ? spec : null;

    /// <inheritdoc />
    public bool Equals(ZooArchitecture? other) =>
        other is not null && Model == other.Model && InputFeatures == other.InputFeatures && Classes == other.Classes && Activation == other.Activation
        && Channels == other.Channels && (Hidden ?? []).SequenceEqual(other.Hidden ?? []);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Model, InputFeatures, Classes, Activation, Channels, Hidden?.Count ?? 0);

    /// <inheritdoc />
    public override string ToString() => Model switch
    {
        ZooModel.Mlp => $"Mlp {InputFeatures}-{string.Join("-", Hidden ?? [])}-{Classes} {Activation}",
        ZooModel.SoftmaxRegression => $"SoftmaxRegression {InputFeatures}-{Classes}",
        _ => $"{Model} {Channels} channel(s), {Classes} classes, {Activation}",
    };
}
