using static TorchSharp.torch;

namespace NeuralShield.Internal;

internal static partial class Guard
{
    public static void Inputs(Tensor inputs, Models.InputBounds bounds, string name)
    {
        Batch(inputs, name);
        if (!bounds.Contains(inputs, 1e-4f))
            throw new ArgumentException($"{name} must lie inside the model's bounds {bounds}.", name);
    }
}
