using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Metrics;

/// <summary>
/// Distances refuse batches that would broadcast (a silent wrong answer), and the other metrics refuse missing or
/// malformed input with the argument named instead of failing later with a null reference or a shape error.
/// </summary>
public sealed class MetricsArgumentTests
{
    [Fact]
    public void DistancesRefuseBatchesThatWouldBroadcast()
    {
        // [3, 4] against [1, 4] broadcasts in torch: without the check each norm would silently measure every sample
        // against the one sample of b.
        using var a = rand(3, 4);
        using var b = rand(1, 4);
        foreach (var norm in new[] { Norm.L0, Norm.L2, Norm.LInf })
        {
            var e = Assert.Throws<ArgumentException>(() => Distances.Of(norm, a, b));
            Assert.Equal("b", e.ParamName);
            Assert.Contains("[3, 4] and [1, 4]", e.Message);
        }
    }

    [Fact]
    public void DistancesRefuseAScalarOnEitherSide()
    {
        using var scalar = tensor(1f);
        using var batch = rand(1, 4);
        foreach (var norm in new[] { Norm.L0, Norm.L2, Norm.LInf })
        {
            Assert.Equal("a", Assert.Throws<ArgumentException>(() => Distances.Of(norm, scalar, scalar)).ParamName);
            Assert.Equal("b", Assert.Throws<ArgumentException>(() => Distances.Of(norm, batch, scalar)).ParamName);
        }
        Assert.Equal("norm", Assert.Throws<ArgumentOutOfRangeException>(() => Distances.Of((Norm)7, batch, batch)).ParamName);
    }

    [Fact]
    public void EvasionSummaryOfAdversarialsMatchesHandComputation()
    {
        // Sample 0: change (0.3, 0.4, 0, 0): L0 2, L2 0.5, L∞ 0.4, succeeded. Sample 1: change (0, 0, 0, −1): L0 1,
        // L2 1, L∞ 1, failed. Means over successes are sample 0's; L0 fraction over all samples is (2 + 1)/2/4.
        using var originals = tensor(new float[] { 0, 0, 0, 0, 1, 1, 1, 1 }).reshape(2, 4);
        using var adversarials = tensor(new float[] { 0.3f, 0.4f, 0, 0, 1, 1, 1, 0 }).reshape(2, 4);
        using var success = tensor(new[] { true, false });
        var m = EvasionMetrics.Of(adversarials, originals, success, 17, TimeSpan.FromSeconds(2));
        Assert.Equal(2, m.SampleCount);
        Assert.Equal(0.5, m.SuccessRate, 12);
        Assert.Equal(2, m.MeanL0, 6);
        Assert.Equal(0.5, m.MeanL0Fraction, 6);
        Assert.Equal(0.5, m.MeanL2, 6);
        Assert.Equal(0.4, m.MeanLInf, 6);
        Assert.Equal(3.0 / 8, m.MeanL0FractionAll, 6);
        Assert.Equal(17, m.Queries);
        Assert.Equal(TimeSpan.FromSeconds(2), m.Elapsed);
    }

    [Fact]
    public void EvasionSummaryNamesAMissingArgument()
    {
        using var d = zeros(2);
        using var ok = ones(2, dtype: ScalarType.Bool);
        Assert.Equal("success", Assert.Throws<ArgumentNullException>(() => EvasionMetrics.Summarise(null!, d, d, d, 4, 0, TimeSpan.Zero)).ParamName);
        Assert.Equal("l0", Assert.Throws<ArgumentNullException>(() => EvasionMetrics.Summarise(ok, null!, d, d, 4, 0, TimeSpan.Zero)).ParamName);
        Assert.Equal("l2", Assert.Throws<ArgumentNullException>(() => EvasionMetrics.Summarise(ok, d, null!, d, 4, 0, TimeSpan.Zero)).ParamName);
        Assert.Equal("lInf", Assert.Throws<ArgumentNullException>(() => EvasionMetrics.Summarise(ok, d, d, null!, 4, 0, TimeSpan.Zero)).ParamName);
    }

    [Fact]
    public void DetectionNamesAMissingArgument()
    {
        Assert.Equal("flagged", Assert.Throws<ArgumentNullException>(() => DetectionMetrics.Of(null!, [1L])).ParamName);
        Assert.Equal("poisoned", Assert.Throws<ArgumentNullException>(() => DetectionMetrics.Of([1L], null!)).ParamName);
    }

    [Fact]
    public void RobustnessNamesAMissingOrBadArgument()
    {
        using var x = rand(2, 4);
        Assert.Equal("counted", Assert.Throws<ArgumentNullException>(() => Robustness.RelativePerturbation(x, x, Norm.L2, null!)).ParamName);
        using var mask = ones(2, dtype: ScalarType.Bool);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => Robustness.MeanConfidence(null!, x, mask)).ParamName);
        using var labels = zeros(2, dtype: ScalarType.Int64);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => NeuralShield.Attacks.Core.InputGradient.ZeroFraction(null!, x, labels)).ParamName);
        using var model = new TorchClassifier(ModelZoo.Mlp(4, [3], 2, Activation.ReLU, 1), 2, ownsModule: true);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => Robustness.MeanConfidence(model, x, mask, batchSize: 0)).ParamName);
        // Inputs outside the model's [0, 1] bounds are refused, not differentiated.
        using var outside = x + 2;
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => NeuralShield.Attacks.Core.InputGradient.ZeroFraction(model, outside, labels)).ParamName);
    }
}
