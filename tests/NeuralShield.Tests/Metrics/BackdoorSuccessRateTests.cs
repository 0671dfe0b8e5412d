using NeuralShield.Data;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Metrics;

/// <summary><see cref="PoisoningMeasures.BackdoorSuccessRate"/> on a hand-set linear classifier.</summary>
public sealed class BackdoorSuccessRateTests
{
    /// <summary>
    /// Two features, three classes; logits (x₀, 0.5, 5·x₁). Clean inputs have x₁ = 0; the trigger sets x₁ = 0.15, so a
    /// triggered input goes to class 2 exactly when x₀ &lt; 0.75.
    /// </summary>
    private static TorchClassifier Model()
    {
        var linear = nn.Linear(2, 3);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(new float[] { 1, 0, 0, 0, 0, 5 }).reshape(3, 2));
            linear.bias!.copy_(tensor(new float[] { 0, 0.5f, 0 }));
        }
        return new TorchClassifier(linear, 3, ownsModule: true);
    }

    private static Tensor Stamp(Tensor x)
    {
        var stamped = x.clone();
        stamped[.., 1] = tensor(0.15f);
        return stamped;
    }

    private static LabeledData Data(float[] x0, long[] labels)
    {
        var features = stack([tensor(x0), zeros(x0.Length)], 1);
        return new LabeledData(features, tensor(labels), 3);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    public void RateIsTheShareOfNonTargetInputsSentToTheTarget(int batchSize)
    {
        // Non-target inputs x₀ = 0.9, 0.2, 0.6, 0.8, 0.4, 0.95: below 0.75 are 0.2, 0.6, 0.4 → 3 of 6. The two inputs
        // of the target class (0.5, 0.3) would also land in class 2 but do not count; with batches of 3 the last
        // batch holds them only.
        using var data = Data([0.9f, 0.2f, 0.6f, 0.8f, 0.4f, 0.95f, 0.5f, 0.3f], [0, 1, 0, 1, 0, 1, 2, 2]);
        using var model = Model();
        Assert.Equal(0.5, PoisoningMeasures.BackdoorSuccessRate(model, data, Stamp, targetClass: 2, batchSize), 12);
        // Toward class 1 the trigger never works: no triggered input ends in class 1.
        Assert.Equal(0, PoisoningMeasures.BackdoorSuccessRate(model, data, Stamp, targetClass: 1, batchSize));
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        using var data = Data([0.9f, 0.2f], [2, 2]);
        using var model = Model();
        Assert.Equal("classifier", Assert.Throws<ArgumentNullException>(() => PoisoningMeasures.BackdoorSuccessRate(null!, data, Stamp, 2)).ParamName);
        Assert.Equal("test", Assert.Throws<ArgumentNullException>(() => PoisoningMeasures.BackdoorSuccessRate(model, null!, Stamp, 2)).ParamName);
        Assert.Equal("stamp", Assert.Throws<ArgumentNullException>(() => PoisoningMeasures.BackdoorSuccessRate(model, data, null!, 2)).ParamName);
        Assert.Equal("targetClass", Assert.Throws<ArgumentOutOfRangeException>(() => PoisoningMeasures.BackdoorSuccessRate(model, data, Stamp, -1)).ParamName);
        var above = Assert.Throws<ArgumentOutOfRangeException>(() => PoisoningMeasures.BackdoorSuccessRate(model, data, Stamp, 3));
        Assert.Equal("targetClass", above.ParamName);
        Assert.Contains("[0, 3)", above.Message);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => PoisoningMeasures.BackdoorSuccessRate(model, data, Stamp, 2, 0)).ParamName);
        // Every test input is of the target class: there is nothing to measure.
        var none = Assert.Throws<ArgumentException>(() => PoisoningMeasures.BackdoorSuccessRate(model, data, Stamp, 2));
        Assert.Equal("test", none.ParamName);
        Assert.Contains("target class 2", none.Message);
    }
}
