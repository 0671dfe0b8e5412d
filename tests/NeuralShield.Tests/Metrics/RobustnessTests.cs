using NeuralShield.Attacks.Core;
using NeuralShield.Metrics;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Metrics;

/// <summary>
/// <see cref="Robustness"/>, <see cref="EvasionMetrics.Summarise"/> and <see cref="ActivationLayers.SaturatedFraction"/>
/// against hand computations on small tensors.
/// </summary>
public class RobustnessTests
{
    // Originals with norms: ‖(3, 4)‖₂ = 5, ‖(3, 4)‖∞ = 4; ‖(1, 0)‖ = 1 in both; ‖(0, 2)‖ = 2 in both.
    private static Tensor Originals() => tensor(new float[] { 3, 4, 1, 0, 0, 2 }).reshape(3, 2);

    // Perturbations: (0.3, 0.4): L2 0.5, L∞ 0.4; (0, 0.5): 0.5 in both; (1, 1): L2 √2, L∞ 1.
    private static Tensor Adversarials() => tensor(new float[] { 3.3f, 4.4f, 1, 0.5f, 1, 3 }).reshape(3, 2);

    [Fact]
    public void RelativePerturbationInL2IsTheMaskedMeanOfRatios()
    {
        using var x = Originals();
        using var adv = Adversarials();
        using var mask = tensor(new[] { true, false, true });
        var expected = (0.5 / 5 + Math.Sqrt(2) / 2) / 2;
        Assert.Equal(expected, Robustness.RelativePerturbation(adv, x, Norm.L2, mask), 6);

        using var all = ones(3, dtype: ScalarType.Bool);
        Assert.Equal((0.5 / 5 + 0.5 / 1 + Math.Sqrt(2) / 2) / 3, Robustness.RelativePerturbation(adv, x, Norm.L2, all), 6);
    }

    [Fact]
    public void RelativePerturbationInLInfIsTheMaskedMeanOfRatios()
    {
        using var x = Originals();
        using var adv = Adversarials();
        using var mask = tensor(new[] { true, true, false });
        Assert.Equal((0.4 / 4 + 0.5 / 1) / 2, Robustness.RelativePerturbation(adv, x, Norm.LInf, mask), 6);

        using var last = tensor(new[] { false, false, true });
        Assert.Equal(1.0 / 2, Robustness.RelativePerturbation(adv, x, Norm.LInf, last), 6);
    }

    [Fact]
    public void RelativePerturbationOverNoSampleIsNaN()
    {
        using var x = Originals();
        using var adv = Adversarials();
        using var none = zeros(3, dtype: ScalarType.Bool);
        Assert.True(double.IsNaN(Robustness.RelativePerturbation(adv, x, Norm.L2, none)));
    }

    [Fact]
    public void MeanConfidenceIsTheMaskedMeanOfTopProbabilities()
    {
        using var data = TestModels.Blobs(23, 4, seed: 41);
        using var model = TestModels.TrainedMlp(data, seed: 41);
        using var generator = new Generator(5);
        using var mask = rand(23, generator: generator).lt(0.5);
        using var p = model.PredictProbabilities(data.Features);
        var top = p.amax(1).to_type(ScalarType.Float64).data<double>().ToArray();
        var counted = mask.data<bool>().ToArray();
        Assert.Contains(true, counted);
        Assert.Contains(false, counted);
        var expected = top.Where((_, i) => counted[i]).Average();
        Assert.Equal(expected, Robustness.MeanConfidence(model, data.Features, mask), 12);
        // Batches of 5 exercise the chunked path; the float32 forward pass of a smaller batch may differ in the last bit.
        Assert.Equal(expected, Robustness.MeanConfidence(model, data.Features, mask, batchSize: 5), 6);
        Assert.NotEqual(top.Average(), expected, 6);
    }

    [Fact]
    public void ZeroGradientFractionIsOneForAZeroModelAndZeroForATrainedOne()
    {
        using var data = TestModels.Blobs(30, 4, seed: 42);
        var zero = ModelZoo.Mlp(4, [8], 3, Activation.ReLU, 1);
        using (no_grad())
        {
            foreach (var p in zero.parameters()) p.zero_();
        }
        using var zeroModel = new TorchClassifier(zero, 3, ownsModule: true);
        Assert.Equal(1.0, InputGradient.ZeroFraction(zeroModel, data.Features, data.Labels));

        using var trained = TestModels.TrainedMlp(data, seed: 42);
        Assert.Equal(0.0, InputGradient.ZeroFraction(trained, data.Features, data.Labels));
    }

    [Fact]
    public void ZeroGradientFractionCountsSamplesWithAZeroGradient()
    {
        // One ReLU unit h = max(0, x₀ − 0.5) and logits (h, −h): where the unit is dead the input gradient is exactly
        // zero; where it is live it is (p₀ − 1 − p₁)·e₀ ≠ 0.
        var net = nn.Sequential(("fc1", nn.Linear(4, 1)), ("act1", nn.ReLU()), ("logits", nn.Linear(1, 2)));
        using (no_grad())
        {
            var fc1 = (TorchSharp.Modules.Linear)net.named_children().First().module;
            var out2 = (TorchSharp.Modules.Linear)net.named_children().Last().module;
            fc1.weight!.copy_(tensor(new float[] { 1, 0, 0, 0 }).reshape(1, 4));
            fc1.bias!.fill_(-0.5);
            out2.weight!.copy_(tensor(new float[] { 1, -1 }).reshape(2, 1));
            out2.bias!.zero_();
        }
        using var model = new TorchClassifier(net, 2, ownsModule: true);
        // x₀ = 0.1, 0.2, 0.3 (dead unit: zero gradient) and 0.7, 0.9 (live unit: non-zero gradient).
        using var x = cat([tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.7f, 0.9f }).unsqueeze(1), full(5, 3, 0.5f)], 1);
        using var y = zeros(5, dtype: ScalarType.Int64);
        Assert.Equal(3.0 / 5, InputGradient.ZeroFraction(model, x, y), 12);
    }

    [Fact]
    public void SummariseMeansDistancesOverSuccessfulSamplesOnly()
    {
        using var success = tensor(new[] { true, false, true, false });
        using var l0 = tensor(new long[] { 2, 4, 1, 3 });
        using var l2 = tensor(new float[] { 0.5f, 1f, 1.5f, 2f });
        using var lInf = tensor(new float[] { 0.25f, 0.5f, 0.75f, 1f });
        var m = EvasionMetrics.Summarise(success, l0, l2, lInf, featureCount: 4, queries: 17, elapsed: TimeSpan.FromSeconds(3));
        Assert.Equal(4, m.SampleCount);
        Assert.Equal(0.5, m.SuccessRate);
        Assert.Equal((2 + 1) / 2.0, m.MeanL0);
        Assert.Equal((2 + 1) / 2.0 / 4, m.MeanL0Fraction);
        Assert.Equal((0.5 + 1.5) / 2, m.MeanL2);
        Assert.Equal((0.25 + 0.75) / 2, m.MeanLInf);
        Assert.Equal((2 + 4 + 1 + 3) / 4.0 / 4, m.MeanL0FractionAll);
        Assert.Equal(17, m.Queries);
        Assert.Equal(TimeSpan.FromSeconds(3), m.Elapsed);
    }

    [Fact]
    public void SummariseGivesNaNMeansWhenNothingSucceeded()
    {
        using var success = zeros(3, dtype: ScalarType.Bool);
        using var l0 = tensor(new float[] { 1, 2, 3 });
        using var l2 = tensor(new float[] { 1, 2, 3 });
        using var lInf = tensor(new float[] { 1, 2, 3 });
        var m = EvasionMetrics.Summarise(success, l0, l2, lInf, featureCount: 6, queries: 0, elapsed: TimeSpan.Zero);
        Assert.Equal(0, m.SuccessRate);
        Assert.True(double.IsNaN(m.MeanL0));
        Assert.True(double.IsNaN(m.MeanL0Fraction));
        Assert.True(double.IsNaN(m.MeanL2));
        Assert.True(double.IsNaN(m.MeanLInf));
        Assert.Equal(2.0 / 6, m.MeanL0FractionAll, 12);
    }

    [Fact]
    public void SaturatedFractionMatchesAHandCount()
    {
        // One input, two sigmoid units: z₁ = 8x, z₂ = 0.1x. ψ = σ(z)(1 − σ(z)); saturated when ψ < 1e-3.
        var net = nn.Sequential(("fc1", nn.Linear(1, 2)), ("act1", nn.Sigmoid()), ("logits", nn.Linear(2, 2)));
        using (no_grad())
        {
            var fc1 = (TorchSharp.Modules.Linear)net.named_children().First().module;
            fc1.weight!.copy_(tensor(new float[] { 8f, 0.1f }).reshape(2, 1));
            fc1.bias!.zero_();
        }
        var xs = new[] { 1f, 0f, 0.5f, -1.25f };
        using var inputs = tensor(xs).unsqueeze(1);

        static double Psi(double z)
        {
            var s = 1 / (1 + Math.Exp(-z));
            return s * (1 - s);
        }

        foreach (var tolerance in new[] { 1e-3, 0.02, 0.3 })
        {
            var saturated = xs.Sum(x => (Psi(8 * x) < tolerance ? 1 : 0) + (Psi(0.1 * x) < tolerance ? 1 : 0));
            Assert.Equal(saturated / (2.0 * xs.Length), ActivationLayers.SaturatedFraction(net, inputs, tolerance), 12);
        }
        // The cases above are not degenerate: 2 of 8 units at 1e-3 (z₁ = 8, −10), 3 at 0.02 (z₁ = 8, 4, −10), all at 0.3.
        Assert.Equal(2.0 / 8, ActivationLayers.SaturatedFraction(net, inputs), 12);
        Assert.Equal(3.0 / 8, ActivationLayers.SaturatedFraction(net, inputs, 0.02), 12);
        Assert.Equal(1.0, ActivationLayers.SaturatedFraction(net, inputs, 0.3), 12);
        net.Dispose();
    }
}
