using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// An untrained seeded conv net on 1×8×8 images with 5 classes (conv 4@3×3, tanh, linear), small images in [0, 1]
/// and their predicted labels: a smooth white-box image model for APGD, Square and AutoAttack tests.
/// </summary>
internal static class TinyImageModel
{
    public const int Classes = 5;

    public static TorchClassifier Model(long seed)
    {
        random.manual_seed(seed);
        var module = nn.Sequential(
            ("conv", nn.Conv2d(1, 4, 3, padding: 1)), ("act", nn.Tanh()), ("flatten", nn.Flatten()), ("logits", nn.Linear(4 * 8 * 8, Classes)));
        return new TorchClassifier(module, Classes, InputBounds.Unit, inputShape: [1, 8, 8], ownsModule: true);
    }

    /// <summary><paramref name="count"/> images (some pixels at the bounds) and the model's own labels for them.</summary>
    public static (Tensor X, Tensor Labels) Case(TorchClassifier model, int count, long seed)
    {
        using var generator = new Generator((ulong)seed + 1000);
        var x = (rand(count, 1, 8, 8, generator: generator) * 1.2 - 0.1).clamp(0, 1);
        using var _ = no_grad();
        using var logits = model.Module.forward(x);
        return (x, logits.argmax(1));
    }
}
