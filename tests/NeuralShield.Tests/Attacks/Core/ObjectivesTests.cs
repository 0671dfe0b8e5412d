using NeuralShield.Attacks;
using NeuralShield.Attacks.Core;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Core;

/// <summary><see cref="Objectives"/> against hand computations on fixed logits.</summary>
public sealed class ObjectivesTests
{
    // Sample 0: logits (2, 1, 0), label 0 (correct, margin 1 − 2 = −1).
    // Sample 1: logits (0, 3, 1), label 2 (wrong, margin 3 − 1 = 2).
    private static Tensor Logits() => tensor(new float[] { 2, 1, 0, 0, 3, 1 }).reshape(2, 3);

    private static Tensor Labels() => tensor(new long[] { 0, 2 });

    private static double CrossEntropyByHand()
    {
        static double Lse(params double[] z) => Math.Log(z.Sum(Math.Exp));
        return Lse(2, 1, 0) - 2 + (Lse(0, 3, 1) - 1);
    }

    [Fact]
    public void MarginsAreTheBestOtherLogitMinusTheOwn()
    {
        using var logits = Logits();
        using var labels = Labels();
        using var margins = Objectives.Margins(logits, labels);
        Assert.Equal(new float[] { -1, 2 }, margins.data<float>().ToArray());
    }

    [Fact]
    public void LogitMarginSumsSignedAndClampedMargins()
    {
        using var logits = Logits();
        using var labels = Labels();
        Assert.Equal(1f, Objectives.LogitMargin(logits, labels, targeted: false).item<float>());
        // Targeted toward the labels: Z_t − max_{j≠t} Z_j = 1 and −2.
        Assert.Equal(-1f, Objectives.LogitMargin(logits, labels, targeted: true).item<float>());
        // κ = 0.5 caps the gain: min(−1, 0.5) + min(2, 0.5) = −0.5; targeted min(1, 0.5) + min(−2, 0.5) = −1.5.
        Assert.Equal(-0.5f, Objectives.LogitMargin(logits, labels, targeted: false, kappa: 0.5).item<float>());
        Assert.Equal(-1.5f, Objectives.LogitMargin(logits, labels, targeted: true, kappa: 0.5).item<float>());
    }

    [Fact]
    public void CrossEntropyIsSummedAndNegatedWhenTargeted()
    {
        using var logits = Logits();
        using var labels = Labels();
        Assert.Equal(CrossEntropyByHand(), Objectives.CrossEntropy(logits, labels, targeted: false).item<float>(), 5);
        Assert.Equal(-CrossEntropyByHand(), Objectives.CrossEntropy(logits, labels, targeted: true).item<float>(), 5);
    }

    [Fact]
    public void ForPicksTheLossAndTheDirectionOfTheGoal()
    {
        using var logits = Logits();
        using var labels = Labels();
        var untargeted = AttackGoal.Untargeted(labels);
        var targeted = AttackGoal.Targeted(labels);
        Assert.Equal(CrossEntropyByHand(), Objectives.For(GradientLoss.CrossEntropy, untargeted)(logits).item<float>(), 5);
        Assert.Equal(-CrossEntropyByHand(), Objectives.For(GradientLoss.CrossEntropy, targeted)(logits).item<float>(), 5);
        Assert.Equal(1f, Objectives.For(GradientLoss.LogitMargin, untargeted)(logits).item<float>());
        Assert.Equal(-1f, Objectives.For(GradientLoss.LogitMargin, targeted)(logits).item<float>());
        Assert.Equal("loss", Assert.Throws<ArgumentOutOfRangeException>(() => Objectives.For((GradientLoss)5, untargeted)).ParamName);
        Assert.Equal("goal", Assert.Throws<ArgumentNullException>(() => Objectives.For(GradientLoss.CrossEntropy, null!)).ParamName);
    }
}
