using NeuralShield.Attacks.Core;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Core;

/// <summary><see cref="InputGradient"/> against the closed-form gradient of a linear model.</summary>
public sealed class InputGradientTests
{
    // Logits z = W x with W = [[1, −2, 0.5], [0, 1, −1]] (no bias).
    private static readonly float[,] W = { { 1, -2, 0.5f }, { 0, 1, -1 } };

    private static TorchClassifier Model()
    {
        var linear = nn.Linear(3, 2, hasBias: false);
        using (no_grad()) linear.weight!.copy_(tensor(new float[] { 1, -2, 0.5f, 0, 1, -1 }).reshape(2, 3));
        return new TorchClassifier(linear, 2, ownsModule: true);
    }

    private static Tensor Point() => tensor(new float[] { 0.2f, 0.4f, 0.9f, 0.7f, 0.1f, 0.3f }).reshape(2, 3);

    /// <summary>∂/∂x of Σ_n CE(softmax(W x_n), y_n) = Wᵀ(softmax(W x_n) − e_{y_n}), by hand.</summary>
    private static float[] CrossEntropyGradient(float[] x, long[] y)
    {
        var result = new float[x.Length];
        for (var n = 0; n < y.Length; n++)
        {
            var z = new double[2];
            for (var c = 0; c < 2; c++)
                for (var i = 0; i < 3; i++) z[c] += W[c, i] * x[3 * n + i];
            var max = z.Max();
            var e = z.Select(v => Math.Exp(v - max)).ToArray();
            var p = e.Select(v => v / e.Sum()).ToArray();
            for (var i = 0; i < 3; i++)
                for (var c = 0; c < 2; c++) result[3 * n + i] += (float)(W[c, i] * (p[c] - (c == y[n] ? 1 : 0)));
        }
        return result;
    }

    private static void AssertClose(float[] expected, Tensor actual)
    {
        var values = actual.flatten().data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 5);
    }

    [Fact]
    public void GradientOfCrossEntropyMatchesTheClosedForm()
    {
        using var model = Model();
        using var x = Point();
        using var y = tensor(new long[] { 0, 1 });
        using var g = InputGradient.Of(model, x, logits => Objectives.CrossEntropy(logits, y, targeted: false));
        AssertClose(CrossEntropyGradient(x.data<float>().ToArray(), [0, 1]), g.Gradient);
        Assert.Equal(x.shape, g.Gradient.shape);
        // The logits at the point, detached: W x.
        AssertClose([0.2f - 0.8f + 0.45f, 0.4f - 0.9f, 0.7f - 0.2f + 0.15f, 0.1f - 0.3f], g.Logits);
        Assert.False(g.Logits.requires_grad);
        Assert.False(g.Gradient.requires_grad);
        // The caller's tensor is left as it was.
        Assert.False(x.requires_grad);
    }

    [Fact]
    public void SeveralObjectivesShareOneForwardPass()
    {
        using var model = Model();
        using var x = Point();
        using var y0 = tensor(new long[] { 0, 1 });
        using var y1 = tensor(new long[] { 1, 0 });
        var before = model.QueryCount;
        using var g = InputGradient.Of(model, x, [
            logits => Objectives.CrossEntropy(logits, y0, targeted: false),
            logits => Objectives.CrossEntropy(logits, y1, targeted: false),
            logits => logits[.., 0].sum(),
        ]);
        Assert.Equal(3, g.Gradients.Count);
        var xs = x.data<float>().ToArray();
        AssertClose(CrossEntropyGradient(xs, [0, 1]), g.Gradients[0]);
        AssertClose(CrossEntropyGradient(xs, [1, 0]), g.Gradients[1]);
        // ∂/∂x Σ_n z_n0 = first row of W for every sample.
        AssertClose([1, -2, 0.5f, 1, -2, 0.5f], g.Gradients[2]);
        Assert.Equal(before + 2, model.QueryCount);
    }

    [Fact]
    public void WorksWhereAutogradIsOff()
    {
        using var model = Model();
        using var x = Point();
        using var y = tensor(new long[] { 1, 1 });
        using var off = no_grad();
        using var g = InputGradient.Of(model, x, logits => Objectives.CrossEntropy(logits, y, targeted: false));
        AssertClose(CrossEntropyGradient(x.data<float>().ToArray(), [1, 1]), g.Gradient);
    }

    [Fact]
    public void AnObjectiveThatIgnoresThePointHasAZeroGradient()
    {
        // The "logits" come from a parameter alone: the objective depends on it, not on the point.
        using var bias = tensor(new float[] { 0.3f, -0.2f }).requires_grad_(true);
        using var x = Point();
        using var y = tensor(new long[] { 0, 1 });
        using var g = InputGradient.Of(p => bias.expand(2, 2), x, [logits => Objectives.CrossEntropy(logits, y, targeted: false)]);
        Assert.Equal(x.shape, g.Gradient.shape);
        Assert.Equal(0f, g.Gradient.abs().max().item<float>());
    }

    [Fact]
    public void MissingArgumentsAreNamed()
    {
        using var model = Model();
        using var x = Point();
        AttackObjective objective = logits => logits.sum();
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => InputGradient.Of(null!, x, objective)).ParamName);
        Assert.Equal("objective", Assert.Throws<ArgumentNullException>(() => InputGradient.Of(model, x, (AttackObjective)null!)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => InputGradient.Of((IDifferentiableClassifier)null!, x, [objective])).ParamName);
        Assert.Equal("forward", Assert.Throws<ArgumentNullException>(() => InputGradient.Of((Func<Tensor, Tensor>)null!, x, [objective])).ParamName);
        Assert.Equal("point", Assert.Throws<ArgumentNullException>(() => InputGradient.Of(model.Logits, null!, [objective])).ParamName);
        Assert.Equal("objectives", Assert.Throws<ArgumentNullException>(() => InputGradient.Of(model.Logits, x, null!)).ParamName);
        var none = Assert.Throws<ArgumentException>(() => InputGradient.Of(model.Logits, x, []));
        Assert.Equal("objectives", none.ParamName);
        Assert.Contains("At least one objective", none.Message);
    }

    [Fact]
    public void DisposingTheResultReleasesItsTensors()
    {
        using var model = Model();
        using var x = Point();
        var g = InputGradient.Of(model, x, [logits => logits.sum(), logits => logits[.., 1].sum()]);
        g.Dispose();
        Assert.True(g.Logits.IsInvalid);
        Assert.All(g.Gradients, t => Assert.True(t.IsInvalid));
    }
}
