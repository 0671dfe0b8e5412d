using NeuralShield.Attacks;
using NeuralShield.Attacks.Core;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Core;

/// <summary>The DLR losses of Croce and Hein (2020) on logits worked by hand.</summary>
public class DlrTests
{
    [Fact]
    public void UntargetedDlrIsTheMarginOverTheTopThreeSpread()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1, 4, 2, 3, 0, 5, 1, 2 }).view(2, 4);
        var labels = tensor(new long[] { 0, 1 });
        // Row 0: sorted 4, 3, 2, 1; (4 − 1)/(4 − 2) = 1.5. Row 1: sorted 5, 2, 1, 0; y = 1 is the top: (2 − 5)/(5 − 1) = −0.75.
        var dlr = Objectives.DlrLosses(logits, labels).data<float>().ToArray();
        Assert.Equal(1.5f, dlr[0], 5);
        Assert.Equal(-0.75f, dlr[1], 5);
    }

    [Fact]
    public void TargetedDlrUsesTheTopFourSpread()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1, 4, 2, 3 }).view(1, 4);
        // Toward t = 2 from y = 1: (2 − 4)/(4 − (2 + 1)/2) = −0.8; without y, the strongest other class (4) stands in for it.
        Assert.Equal(-0.8f, Objectives.TargetedDlrLosses(logits, tensor(new long[] { 1 }), tensor(new long[] { 2 })).item<float>(), 5);
        Assert.Equal(-0.8f, Objectives.TargetedDlrLosses(logits, null, tensor(new long[] { 2 })).item<float>(), 5);
        // With y = 0 (not the strongest other class) the two forms differ: (2 − 1)/2.5 = 0.4.
        Assert.Equal(0.4f, Objectives.TargetedDlrLosses(logits, tensor(new long[] { 0 }), tensor(new long[] { 2 })).item<float>(), 5);
        // The summed objective of GradientLoss.Dlr toward a target is the label-free form.
        var objective = Objectives.For(GradientLoss.Dlr, AttackGoal.Targeted(tensor(new long[] { 2 })));
        Assert.Equal(-0.8f, objective(logits).item<float>(), 5);
    }

    [Fact]
    public void DlrIsInvariantToShiftAndScale()
    {
        using var scope = NewDisposeScope();
        var logits = randn(6, 5, generator: new TorchSharp.torch.Generator(3));
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 0 });
        var a = Objectives.DlrLosses(logits, labels);
        var b = Objectives.DlrLosses(logits * 7 + 3, labels);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void TooFewClassesAreRefused()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => Objectives.DlrLosses(zeros(2, 2), zeros(2, dtype: ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => Objectives.TargetedDlrLosses(zeros(2, 3), null, zeros(2, dtype: ScalarType.Int64)));
    }
}
