using NeuralShield.Privacy;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Privacy;

/// <summary>
/// The paths of per-sample gradients that DP-SGD takes besides <see cref="PerSampleGradients.Compute"/>: each sample's
/// squared gradient norm and the factor-weighted sum of the per-sample gradients (clipping), for convolutions with
/// every padding form, Linear layers on [N, T, d] inputs, frozen parameters and a layer the forward pass skips — all
/// against a loop of one backward pass per example.
/// </summary>
public sealed class PerSampleGradientsPathsTests
{
    /// <summary>Sample n's gradient of its own cross-entropy for each trainable parameter, by name (zeros where autograd gives none).</summary>
    private static Dictionary<string, Tensor> LoopGradient(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int n)
    {
        model.zero_grad();
        using (var logits = model.forward(x[n..(n + 1)]))
        using (var loss = nn.functional.cross_entropy(logits, y[n..(n + 1)]))
        {
            if (loss.requires_grad) loss.backward();
        }
        return model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad is { } g ? g.clone() : zeros_like(p.parameter));
    }

    /// <summary>
    /// Checks the per-sample squared norms (summed over layers) and the weighted sums Σ_n c_n g_n of every layer
    /// against the loop, and <see cref="PerSampleGradients.Compute"/> parameter by parameter.
    /// </summary>
    private static void AssertAllPathsMatchLoop(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        var n = x.shape[0];
        var loop = Enumerable.Range(0, (int)n).Select(i => LoopGradient(model, x, y, i)).ToList();
        var trainable = loop[0].Keys.ToList();

        var computed = PerSampleGradients.Compute(model, x, y);
        Assert.Equal(trainable, computed.Select(c => c.Name));
        foreach (var (name, gradient) in computed)
        {
            for (var i = 0; i < n; i++)
            {
                using var mine = gradient[i];
                Assert.True(mine.allclose(loop[i][name], rtol: 1e-4, atol: 1e-6), $"Compute: sample {i}, {name}");
            }
            gradient.Dispose();
        }

        using var factors = linspace(0.5, 2.0, n);
        var layers = PerSampleGradients.Layers.Of(model, "model");
        using var scope = NewDisposeScope();
        var trace = PerSampleGradients.Trace.Run(model, layers, x, y);
        using var noGrad = no_grad();
        var squared = zeros(n);
        foreach (var layer in layers)
        {
            var (norms, w, b) = trace.SquaredNorms(layer);
            squared += norms;
            var (weightSum, biasSum) = trace.WeightedSum(layer, factors, w, b);
            string?[] names = [layer.WeightName, layer.BiasName];
            Tensor?[] sums = [weightSum, biasSum];
            for (var p = 0; p < 2; p++)
            {
                if (names[p] is not { } name || !trainable.Contains(name)) continue;
                var expected = zeros_like(loop[0][name]);
                for (var i = 0; i < n; i++) expected += factors[i] * loop[i][name];
                Assert.True(sums[p]!.allclose(expected, rtol: 1e-4, atol: 1e-6), $"weighted sum of {name}");
            }
        }
        var expectedSquared = tensor(loop.Select(g => g.Values.Sum(t => t.square().sum().item<float>())).ToArray());
        Assert.True(squared.allclose(expectedSquared, rtol: 1e-4, atol: 1e-8), $"squared norms {squared.str()} vs {expectedSquared.str()}");
        foreach (var g in loop.SelectMany(d => d.Values)) g.Dispose();
    }

    private static (Tensor X, Tensor Y) Batch(long seed, long[] shape, long classes)
    {
        using var g = new Generator((ulong)seed);
        return (rand(shape, generator: g), randint(0, classes, [shape[0]], generator: g));
    }

    [Fact]
    public void ConvolutionsWithSameValidAndRectangularPaddingMatchTheLoop()
    {
        random.manual_seed(11);
        using var model = nn.Sequential(
            ("same", nn.Conv2d(2, 3, 3, Padding.Same, dilation: 2)), ("act1", nn.Tanh()),
            ("valid", nn.Conv2d(3, 3, 2, Padding.Valid)), ("act2", nn.Tanh()),
            ("rect", nn.Conv2d(3, 2, (2L, 3L), stride: (2L, 1L), padding: (1L, 0L), bias: false)), ("act3", nn.ReLU()),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(2 * 4 * 4, 3)));
        var (x, y) = Batch(12, [4, 2, 7, 7], 3);
        using (x)
        using (y)
            AssertAllPathsMatchLoop(model, x, y);
    }

    [Fact]
    public void StridedDilatedCnnMatchesTheLoopOnEveryPath()
    {
        using var model = PerSampleGradientsTests.SmallCnn(13);
        var (x, y) = Batch(14, [5, 1, 14, 14], 3);
        using (x)
        using (y)
            AssertAllPathsMatchLoop(model, x, y);
    }

    [Fact]
    public void NestedBlocksMatchTheLoop()
    {
        // Layers inside a block inside the model ("any nesting"): found by their full names.
        random.manual_seed(23);
        using var model = nn.Sequential(
            ("block", nn.Sequential(("conv", nn.Conv2d(1, 2, 3)), ("act", nn.ReLU()))),
            ("flatten", nn.Flatten()), ("head", nn.Sequential(("fc", nn.Linear(2 * 3 * 3, 3)))));
        var (x, y) = Batch(24, [3, 1, 5, 5], 3);
        using (x)
        using (y)
            AssertAllPathsMatchLoop(model, x, y);
    }

    [Fact]
    public void LinearLayersOnSequencesSumOverTheExtraDimension()
    {
        // A Linear layer applied to [N, T, d]: sample n's weight gradient is Σ_t g_nt a_ntᵀ, its bias gradient Σ_t g_nt.
        // The second token layer has no bias.
        random.manual_seed(15);
        using var model = nn.Sequential(("token", nn.Linear(4, 5)), ("act", nn.Tanh()), ("mix", nn.Linear(5, 5, hasBias: false)),
            ("flatten", nn.Flatten()), ("head", nn.Linear(3 * 5, 2)));
        var (x, y) = Batch(16, [4, 3, 4], 2);
        using (x)
        using (y)
            AssertAllPathsMatchLoop(model, x, y);
    }

    [Fact]
    public void FrozenParametersAreLeftOut()
    {
        random.manual_seed(17);
        using var model = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)), ("act", nn.Tanh()), ("flatten", nn.Flatten()),
            ("hidden", nn.Linear(2 * 3 * 3, 4)), ("act2", nn.Tanh()), ("out", nn.Linear(4, 2)));
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        parameters["conv.bias"].requires_grad = false;
        parameters["hidden.weight"].requires_grad = false;
        parameters["out.bias"].requires_grad = false;
        var (x, y) = Batch(18, [3, 1, 5, 5], 2);
        using (x)
        using (y)
            AssertAllPathsMatchLoop(model, x, y);
    }

    [Fact]
    public void AFrozenConvolutionWeightWithATrainableBiasCountsTheBiasOnly()
    {
        random.manual_seed(25);
        using var model = nn.Sequential(("conv", nn.Conv2d(1, 2, 3)), ("act", nn.Tanh()), ("flatten", nn.Flatten()), ("out", nn.Linear(2 * 3 * 3, 2)));
        model.named_parameters().Single(p => p.name == "conv.weight").parameter.requires_grad = false;
        var (x, y) = Batch(26, [3, 1, 5, 5], 2);
        using (x)
        using (y)
            AssertAllPathsMatchLoop(model, x, y);
    }

    [Theory]
    // A layer never called, one (without bias) never called, one called but its output discarded: all zero.
    [InlineData(Use.SkipSome)]
    // No layer takes part: the logits are the input itself; every gradient is zero.
    [InlineData(Use.SkipAll)]
    public void LayersOutsideTheLossHaveZeroGradients(Use use)
    {
        using var model = new SkipsALayer(19, use);
        var (x, y) = Batch(20, [3, 4], 3);
        using (x)
        using (y)
            AssertAllPathsMatchLoop(model, x, y);
    }

    [Fact]
    public void MissingArgumentsAreNamed()
    {
        using var model = nn.Sequential(("fc", nn.Linear(4, 2)));
        using var x = rand(2, 4);
        using var y = zeros(2, ScalarType.Int64);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => PerSampleGradients.Compute(null!, x, y)).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentNullException>(() => PerSampleGradients.Compute(model, null!, y)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentNullException>(() => PerSampleGradients.Compute(model, x, null!)).ParamName);
    }

    [Fact]
    public void UnsupportedLayersAreRefusedWithTheLayerNamed()
    {
        var (x, y) = Batch(21, [2, 2, 6, 6], 2);
        using (x)
        using (y)
        {
            using var grouped = nn.Sequential(("grouped", nn.Conv2d(2, 2, 3, groups: 2)), ("flatten", nn.Flatten()));
            Assert.Contains("grouped", Assert.Throws<ArgumentException>(() => PerSampleGradients.Compute(grouped, x, y)).Message);
            using var reflect = nn.Sequential(("reflect", nn.Conv2d(2, 2, 3, padding: 1, padding_mode: PaddingModes.Reflect)), ("flatten", nn.Flatten()));
            Assert.Contains("reflect", Assert.Throws<ArgumentException>(() => PerSampleGradients.Compute(reflect, x, y)).Message);
            // An even kernel with 'same' padding pads one side more than the other, even in one dimension only.
            using var even = nn.Sequential(("even", nn.Conv2d(2, 2, 2, Padding.Same)), ("flatten", nn.Flatten()));
            Assert.Contains("'same'", Assert.Throws<ArgumentException>(() => PerSampleGradients.Compute(even, x, y)).Message);
            using var halfEven = nn.Sequential(("halfEven", nn.Conv2d(2, 2, (3L, 2L), Padding.Same)), ("flatten", nn.Flatten()));
            Assert.Contains("'same'", Assert.Throws<ArgumentException>(() => PerSampleGradients.Compute(halfEven, x, y)).Message);
            using var norm = nn.Sequential(("conv", nn.Conv2d(2, 2, 3)), ("norm", nn.BatchNorm2d(2)), ("flatten", nn.Flatten()));
            var e = Assert.Throws<ArgumentException>(() => PerSampleGradients.Compute(norm, x, y));
            Assert.Contains("Linear and Conv2d layers only", e.Message);
            Assert.Contains("batch normalisation", e.Message);
        }
        using var twice = new SkipsALayer(22, Use.Twice);
        using var v = rand(2, 4);
        using var labels = zeros(2, ScalarType.Int64);
        Assert.Contains("twice", Assert.Throws<InvalidOperationException>(() => PerSampleGradients.Compute(twice, v, labels)).Message);
        using var frozen = nn.Sequential(("fc", nn.Linear(4, 2)));
        foreach (var p in frozen.parameters()) p.requires_grad = false;
        var none = Assert.Throws<ArgumentException>(() => PerSampleGradients.Compute(frozen, v, labels));
        Assert.Equal("model", none.ParamName);
        Assert.Contains("no trainable parameters", none.Message);
    }

    [Fact]
    public void AModelThatIsOneLayerIsItsOwnLayer()
    {
        // A bare Linear (and a bare Conv2d) once counted as having no trainable parameters: the module itself was not searched.
        using var g = new Generator(31);
        using var x = randn([5, 4], generator: g);
        using var y = tensor(new long[] { 0, 1, 2, 1, 0 });
        using var linear = nn.Linear(4, 3);
        AssertAllPathsMatchLoop(linear, x, y);
        using var images = randn([3, 2, 5, 5], generator: g);
        using var labels = tensor(new long[] { 0, 1, 0 });
        using var conv = nn.Sequential(("conv", nn.Conv2d(2, 2, 3)), ("flatten", nn.Flatten()), ("fc", nn.Linear(18, 2)));
        AssertAllPathsMatchLoop(conv, images, labels);
    }

    /// <summary>How <see cref="SkipsALayer"/> uses its layers.</summary>
    public enum Use
    {
        /// <summary>first, then last; unused and unusedNoBias never called, discarded called and its output dropped.</summary>
        SkipSome,
        /// <summary>No layer: the logits are the first three inputs.</summary>
        SkipAll,
        /// <summary>first twice, then last.</summary>
        Twice,
    }

    /// <summary>Linear(4→4) then Linear(4→3), with three more Linears the loss does not depend on.</summary>
    private sealed class SkipsALayer : nn.Module<Tensor, Tensor>
    {
        private readonly Linear first;
        private readonly Linear unused;
        private readonly Linear unusedNoBias;
        private readonly Linear discarded;
        private readonly Linear last;
        private readonly Use use;

        public SkipsALayer(long seed, Use use = Use.SkipSome) : base(nameof(SkipsALayer))
        {
            random.manual_seed(seed);
            first = nn.Linear(4, 4);
            unused = nn.Linear(4, 4);
            unusedNoBias = nn.Linear(4, 4, hasBias: false);
            discarded = nn.Linear(4, 4);
            last = nn.Linear(4, 3);
            this.use = use;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            if (use == Use.SkipAll) return input[.., ..3].clone();
            using var hidden = first.call(input).tanh();
            if (use == Use.SkipSome)
            {
                using var dropped = discarded.call(hidden);
                return last.call(hidden);
            }
            using var again = first.call(hidden);
            return last.call(again);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                first.Dispose();
                unused.Dispose();
                unusedNoBias.Dispose();
                discarded.Dispose();
                last.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
