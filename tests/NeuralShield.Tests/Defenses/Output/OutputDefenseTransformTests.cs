using FsCheck;
using FsCheck.Xunit;
using NeuralShield.Defenses;
using NeuralShield.Defenses.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Output;

public class OutputDefenseTransformTests
{
    public static IEnumerable<object[]> Defenses() =>
    [
        [new OutputTemperature(5)], [new OutputTemperature(0.3)], [new OutputTemperature(1000)], [new TopKOutput(1)], [new TopKOutput(3)],
        [new RoundingOutput(0)], [new RoundingOutput(1)], [new RoundingOutput(2)], [new RoundingOutput(4)], [new LabelOnlyOutput()],
    ];

    private static IOutputDefense[] All => Defenses().Select(d => (IOutputDefense)d[0]).ToArray();

    /// <summary>Random probability rows, some sharpened (near one-hot), some near uniform, some with exact ties and zeros.</summary>
    private static Tensor RandomProbabilities(int seed, int rows, int classes)
    {
        using var g = new Generator((ulong)(uint)seed);
        using var logits = randn([rows, classes], generator: g);
        using var scale = rand([rows, 1], generator: g) * 20;
        var p = (logits * scale).softmax(1);
        if (rows > 2)
        {
            // Exact ties (the second-largest equal to the largest) and exact zeros.
            p[0] = tensor(Enumerable.Repeat(1f / classes, classes).ToArray());
            var half = new float[classes];
            half[classes - 1] = 0.5f;
            half[0] = 0.5f;
            p[1] = tensor(half);
        }
        return p;
    }

    [Property(MaxTest = 40)]
    public bool EveryDefenseKeepsTheArgmaxAndReturnsDistributions(int seed, byte rawClasses)
    {
        var classes = rawClasses % 12 + 2;
        using var p = RandomProbabilities(seed, 16, classes);
        using var before = p.argmax(1);
        foreach (var defense in All)
        {
            using var q = defense.Transform(p);
            using var after = q.argmax(1);
            if (!TensorAssert.Same(before, after)) return false;
            if (q.min().item<float>() < 0) return false;
            using var sums = q.sum(1);
            if ((sums - 1).abs().max().item<float>() > 1e-5f) return false;
        }
        return true;
    }

    [Fact]
    public void RoundingBreaksTiesTowardTheOriginalArgmax()
    {
        // Plain rounding of [0.496, 0.504] gives [0.50, 0.50] and argmax 0; the revealed vector keeps class 1.
        using var two = tensor(new[] { 0.496f, 0.504f }).reshape(1, 2);
        using var q = new RoundingOutput(2).Transform(two);
        var values = q.data<float>().ToArray();
        Assert.Equal(0.49f, values[0], 6);
        Assert.Equal(0.51f, values[1], 6);
        // Largest remainders: [0.333, 0.333, 0.334] → floors 33, 33, 33 and the missing unit to the largest remainder.
        using var three = tensor(new[] { 0.333f, 0.333f, 0.334f }).reshape(1, 3);
        using var r = new RoundingOutput(2).Transform(three);
        Assert.Equal(new[] { 0.33f, 0.33f, 0.34f }, r.data<float>().ToArray().Select(v => MathF.Round(v, 6)).ToArray());
    }

    [Fact]
    public void KnownValues()
    {
        using var p = tensor(new[] { 0.1f, 0.2f, 0.7f }).reshape(1, 3);
        using var t = new OutputTemperature(2).Transform(p);
        var expected = new[] { 0.1, 0.2, 0.7 }.Select(Math.Sqrt).ToArray();
        var sum = expected.Sum();
        Assert.Equal(expected.Select(e => (float)(e / sum)).ToArray(), t.data<float>().ToArray().Select(v => v).ToArray(), new FloatTolerance(1e-6f));
        using var top = new TopKOutput(2).Transform(p);
        Assert.Equal(new[] { 0f, 2f / 9, 7f / 9 }, top.data<float>().ToArray(), new FloatTolerance(1e-6f));
        using var label = new LabelOnlyOutput().Transform(p);
        Assert.Equal(new[] { 0f, 0f, 1f }, label.data<float>().ToArray());
        using var high = new OutputTemperature(100).Transform(p);
        using var entropyBefore = -(p * p.log()).sum();
        using var entropyAfter = -(high * high.log()).sum();
        Assert.True(entropyAfter.item<float>() > entropyBefore.item<float>());
    }

    [Fact]
    public void NonFiniteRowsStayNonFiniteAndShapesAreChecked()
    {
        using var p = tensor(new[] { float.NaN, 0.5f, 0.2f, 0.8f }).reshape(2, 2);
        foreach (var defense in All)
        {
            using var q = defense.Transform(p);
            Assert.True(float.IsNaN(q[0, 0].item<float>()) && float.IsNaN(q[0, 1].item<float>()));
            Assert.Equal(1, q[1, 1].item<float>() > q[1, 0].item<float>() ? 1 : 0);
            using var vector = tensor(new[] { 0.5f, 0.5f });
            Assert.Equal("probabilities", Assert.Throws<ArgumentException>(() => defense.Transform(vector)).ParamName);
        }
    }

    [Fact]
    public void BadParametersAreRefusedByName()
    {
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new OutputTemperature(0)).ParamName);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new OutputTemperature(double.NaN)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => new TopKOutput(0)).ParamName);
        Assert.Equal("digits", Assert.Throws<ArgumentOutOfRangeException>(() => new RoundingOutput(7)).ParamName);
    }

    [Fact]
    public void DecoratedClassifierRevealsTheDefendedOutput()
    {
        using var data = TestModels.Blobs(64, 5, 3);
        using var model = TestModels.TrainedMlp(data, 3);
        var defended = new LabelOnlyOutput().Apply((NeuralShield.Models.IClassifier)model);
        using var q = defended.PredictProbabilities(data.Features);
        using var p = model.PredictProbabilities(data.Features);
        using var a = q.argmax(1);
        using var b = p.argmax(1);
        Assert.True(TensorAssert.Same(a, b));
        Assert.Equal(64f, q.sum().item<float>(), 4);
        Assert.Equal(DefenseKind.Output, new LabelOnlyOutput().Descriptor.Kind);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
