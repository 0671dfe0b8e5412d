namespace NeuralShield.Models;

/// <summary>
/// Runs an <c>nn.Sequential</c> model layer by layer so that a caller can see (and replace) what happens at each
/// activation layer. The zoo models (<see cref="ModelZoo"/>) are sequential with one module per
/// non-linearity ("act1", "act2", ...); nested sequential blocks are walked recursively. Activation layers are
/// recognised by their module type (Sigmoid, ReLU, Tanh), not by name.
/// </summary>
public static class ActivationLayers
{
    /// <summary>The activation kind of <paramref name="module"/>, or null when it is not a supported activation layer.</summary>
    public static ActivationKind? KindOf(nn.Module module) => module switch
    {
        TorchSharp.Modules.Sigmoid => ActivationKind.Sigmoid,
        TorchSharp.Modules.ReLU => ActivationKind.ReLU,
        TorchSharp.Modules.Tanh => ActivationKind.Tanh,
        _ => null,
    };

    /// <summary>
    /// Checks that <paramref name="model"/> is sequential, that every layer maps a tensor to a tensor, and that it
    /// holds at least one activation layer; returns the number of activation layers.
    /// </summary>
    /// <exception cref="ArgumentException">The model cannot be walked layer by layer.</exception>
    public static int Count(nn.Module<Tensor, Tensor> model, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(model, parameterName);
        if (model is not TorchSharp.Modules.Sequential)
            throw new ArgumentException($"{parameterName} must be an nn.Sequential model (as the ModelZoo models are) so that its hidden activations can be read layer by layer; got {model.GetType().Name}.", parameterName);
        var count = 0;
        Visit(model, parameterName, ref count);
        if (count == 0)
            throw new ArgumentException($"{parameterName} has no Sigmoid, ReLU or Tanh activation layer.", parameterName);
        return count;
    }

    private static void Visit(nn.Module module, string parameterName, ref int count)
    {
        foreach (var (name, child) in module.named_children())
        {
            if (child is TorchSharp.Modules.Sequential) Visit(child, parameterName, ref count);
            else if (KindOf(child) is not null) count++;
            else if (child is not nn.Module<Tensor, Tensor>)
                throw new ArgumentException($"Layer '{name}' of {parameterName} does not map a tensor to a tensor.", parameterName);
        }
    }

    /// <summary>
    /// The model's forward pass, layer by layer. At each activation layer, <paramref name="activation"/> receives
    /// the layer's kind, the layer itself and its input z (the pre-activation) and returns what the next layer gets;
    /// every other layer runs unchanged. The result equals <c>model.forward(x)</c> when <paramref name="activation"/>
    /// returns <c>layer.forward(z)</c>.
    /// </summary>
    public static Tensor Forward(nn.Module<Tensor, Tensor> model, Tensor x, Func<ActivationKind, nn.Module<Tensor, Tensor>, Tensor, Tensor> activation)
    {
        var h = x;
        foreach (var (_, child) in model.named_children())
        {
            var layer = (nn.Module<Tensor, Tensor>)child;
            if (child is TorchSharp.Modules.Sequential) h = Forward(layer, h, activation);
            else if (KindOf(child) is { } kind) h = activation(kind, layer, h);
            else h = layer.forward(h);
        }
        return h;
    }

    /// <summary>
    /// Nayebi and Ganguli's complementary function ψ_c of a non-linearity, applied to its output h = f(z):
    /// sigmoid σ(z)(1 − σ(z)) = h(1 − h); ReLU max(0, z) = h; tanh 1 − tanh²(z) = 1 − h² (by analogy with the
    /// sigmoid: the derivative f'(z), which vanishes where the unit saturates).
    /// </summary>
    public static Tensor Complementary(ActivationKind kind, Tensor h) => kind switch
    {
        ActivationKind.Sigmoid => h * (1 - h),
        ActivationKind.ReLU => h.clone(),
        ActivationKind.Tanh => 1 - h.square(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation."),
    };

    /// <summary>
    /// The fraction of hidden units of <paramref name="model"/> (over every activation layer and every sample of
    /// <paramref name="inputs"/>) whose complementary function ψ_c is below <paramref name="tolerance"/>: the units in
    /// the saturated regime, where the float32 derivative of a sigmoid or tanh unit vanishes.
    /// </summary>
    /// <exception cref="ArgumentException">The model cannot be walked layer by layer.</exception>
    public static double SaturatedFraction(nn.Module<Tensor, Tensor> model, Tensor inputs, double tolerance = 1e-3)
    {
        Count(model, nameof(model));
        ArgumentNullException.ThrowIfNull(inputs);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        Forward(model, inputs, (kind, layer, z) =>
        {
            var h = layer.forward(z);
            parts.Add(Complementary(kind, h).flatten(1));
            return h;
        });
        return cat(parts, 1).lt(tolerance).to_type(ScalarType.Float64).mean().item<double>();
    }
}
