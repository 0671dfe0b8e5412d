using System.Text.Json;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Onnx;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Models;

/// <summary>
/// The ONNX importer and TorchScript loading against independent references: ONNX Runtime's answers on the same inputs,
/// central finite differences in float64, PyTorch's accuracy (recorded by Models/Imported/make_models.py), and PGD on the
/// same network written by hand in TorchSharp.
/// </summary>
public class ModelImportTests(OnnxMnistFixture mnist) : IClassFixture<OnnxMnistFixture>
{
    internal static string Imported(string name) => Path.Combine(AppContext.BaseDirectory, "Models", "Imported", name);

    private static ImportedModule View(TorchClassifier classifier) => (ImportedModule)classifier.Module;

    private static string Shared(string name) => Path.Combine(SharedData.Models, name);

    private static JsonElement Recorded(string name) => JsonDocument.Parse(File.ReadAllText(Imported("models.json"))).RootElement.GetProperty(name);

    /// <summary>The options each model needs, as recorded beside it.</summary>
    internal static OnnxClassifierOptions OptionsOf(string name)
    {
        var r = Recorded(name);
        var scale = r.GetProperty("scale").GetSingle();
        var scaling = r.TryGetProperty("mean", out var mean)
            ? InputScaling.Normalize([mean.GetSingle()], [r.GetProperty("std").GetSingle()], scale)
            : scale == 1f ? InputScaling.None : InputScaling.Affine(scale);
        return new OnnxClassifierOptions { Scaling = scaling };
    }

    public static TheoryData<string> OwnMnistModels => new() { "mlp-flat.onnx", "cnn-nhwc-pixels-softmax.onnx", "cnn-nchw-pixels.onnx", "cnn-opset17-batch1.onnx", "cnn-gap.onnx" };

    [Theory]
    [MemberData(nameof(OwnMnistModels))]
    [InlineData("mnist-8.onnx")]
    [InlineData("lenet5-pytorch.onnx")]
    public void ImportedOutputsEqualOnnxRuntimes(string name)
    {
        var path = name.Contains("mnist-8") || name.Contains("lenet5") ? Shared(name) : Imported(name);
        var options = name.Contains("mnist-8") || name.Contains("lenet5") ? new OnnxClassifierOptions() : OptionsOf(name);
        using var imported = ModelImport.Onnx(path, [1, 28, 28], options);
        var layout = View(imported).Layout;
        // ONNX Runtime's raw answer: with Output = Probabilities the black-box classifier passes it through unchanged.
        options.Output = OnnxOutput.Probabilities;
        options.Layout = layout;
        using var runtime = new OnnxClassifier(path, options);
        using var x = mnist.Test.Features.narrow(0, 0, 16);
        using var expected = runtime.PredictProbabilities(x);
        using var logits = imported.Logits(x);
        using var _ = no_grad();
        // The importer answers logits: the graph's output where it is logits or log-probabilities, the input of its final softmax otherwise.
        using var actual = Recorded(name, "output") == "probabilities" ? logits.softmax(1) : logits.detach();
        var difference = (actual - expected).abs().max().item<float>();
        Assert.True(difference <= 1e-4f, $"{name}: largest difference from ONNX Runtime {difference:G3}");
    }

    private static string Recorded(string name, string property) =>
        name.Contains("mnist-8") || name.Contains("lenet5") ? "logits" : Recorded(name).GetProperty(property).GetString()!;

    [Theory]
    [InlineData("mnist-8.onnx")]
    [InlineData("cnn-nhwc-pixels-softmax.onnx")]
    [InlineData("cnn-nchw-pixels.onnx")]
    [InlineData("cnn-opset17-batch1.onnx")]
    [InlineData("cnn-gap.onnx")]
    [InlineData("cnn-gap.pt")]
    public void InputGradientsEqualFiniteDifferences(string name)
    {
        var shared = name == "mnist-8.onnx";
        var path = shared ? Shared(name) : Imported(name);
        var options = shared ? new OnnxClassifierOptions() : OptionsOf(name);
        using var classifier = name.EndsWith(".pt") ? ModelImport.TorchScript(path, [1, 28, 28], options) : ModelImport.Onnx(path, [1, 28, 28], options);
        var module = classifier.Module;
        module.to(ScalarType.Float64);
        using var scope = NewDisposeScope();
        // Noise breaks the ties of max pooling over the many equal background pixels (where no derivative exists).
        var noise = rand([2, 1, 28, 28], ScalarType.Float64, generator: new Generator(7)) * 0.05;
        var x = (mnist.Test.Features.narrow(0, 3, 2).to_type(ScalarType.Float64) * 0.8 + 0.1 + noise).requires_grad_(true);
        var labels = mnist.Test.Labels.narrow(0, 3, 2);
        double Loss(Tensor input) => nn.functional.cross_entropy(module.forward(input), labels).item<double>();
        var loss = nn.functional.cross_entropy(module.forward(x), labels);
        loss.backward();
        var gradient = x.grad!.flatten();
        // Central differences on the 12 coordinates of largest gradient and 4 others.
        var order = gradient.abs().argsort(descending: true).data<long>().ToArray();
        var picked = order.Take(12).Concat(order.Skip(300).Take(4)).ToArray();
        const double h = 1e-6;
        using var _ = no_grad();
        var flat = x.detach().flatten();
        foreach (var i in picked)
        {
            var plus = flat.clone();
            plus[i] += h;
            var minus = flat.clone();
            minus[i] -= h;
            var numeric = (Loss(plus.reshape(x.shape)) - Loss(minus.reshape(x.shape))) / (2 * h);
            var analytic = gradient[i].item<double>();
            Assert.True(Math.Abs(numeric - analytic) <= 1e-5 + 1e-4 * Math.Abs(numeric), $"{name}: coordinate {i}: autograd {analytic:G6}, finite differences {numeric:G6}");
        }
    }

    [Theory]
    [MemberData(nameof(OwnMnistModels))]
    [InlineData("cnn-gap.pt")]
    public void ImportedAccuracyEqualsPyTorchs(string name)
    {
        var options = OptionsOf(name);
        using var classifier = name.EndsWith(".pt") ? ModelImport.TorchScript(Imported(name), [1, 28, 28], options) : ModelImport.Onnx(Imported(name), [1, 28, 28], options);
        var accuracy = ModelAccuracy.Of(classifier, mnist.Test, batchSize: 500);
        var pytorch = Recorded(name).GetProperty("accuracy_first2000").GetDouble();
        Assert.True(Math.Abs(accuracy - pytorch) <= 0.005, $"{name}: {accuracy:P2} here, {pytorch:P2} in PyTorch");
    }

    [Fact]
    public void TabularAdultMlpMatchesPyTorchsAccuracy()
    {
        using var adult = AdultDataset.Load(SharedData.Adult);
        using var test = adult.Test.Take(2000);
        using var classifier = ModelImport.Onnx(Imported("adult-mlp.onnx"), test.SampleShape, new OnnxClassifierOptions { Bounds = InputBounds.Covering(test.Features) });
        var accuracy = ModelAccuracy.Of(classifier, test, batchSize: 500);
        var pytorch = Recorded("adult-mlp.onnx").GetProperty("accuracy").GetDouble();
        Assert.True(Math.Abs(accuracy - pytorch) <= 0.005, $"adult-mlp: {accuracy:P2} here, {pytorch:P2} in PyTorch");
        // And its logits against ONNX Runtime's raw output on the first 16 rows.
        using var runtime = new OnnxClassifier(Imported("adult-mlp.onnx"), new OnnxClassifierOptions { Bounds = classifier.Bounds, Output = OnnxOutput.Probabilities });
        using var rows = test.Features.narrow(0, 0, 16);
        using var expected = runtime.PredictProbabilities(rows);
        using var _ = no_grad();
        using var logits = classifier.Logits(rows);
        Assert.True((logits - expected).abs().max().item<float>() <= 1e-4f);
    }

    [Fact]
    public void TheTorchScriptFileAnswersAsTheOnnxExportOfTheSameNetwork()
    {
        // make_models.py saves one trained network both ways; ONNX Runtime's answers on the ONNX file are the reference.
        var options = OptionsOf("cnn-gap.pt");
        using var script = ModelImport.TorchScript(Imported("cnn-gap.pt"), [1, 28, 28], options);
        options.Output = OnnxOutput.Probabilities;
        using var runtime = new OnnxClassifier(Imported("cnn-gap.onnx"), options);
        using var x = mnist.Test.Features.narrow(0, 0, 16);
        using var expected = runtime.PredictProbabilities(x);
        using var _ = no_grad();
        using var logits = script.Logits(x);
        var difference = (logits - expected).abs().max().item<float>();
        Assert.True(difference <= 1e-4f, $"largest difference from ONNX Runtime {difference:G3}");
    }

    [Fact]
    public void LayoutAndOutputKindAreReadFromTheFile()
    {
        using var flat = ModelImport.Onnx(Imported("mlp-flat.onnx"), [1, 28, 28]);
        Assert.Equal(InputLayout.Flat, View(flat).Layout);
        using var nhwc = ModelImport.Onnx(Imported("cnn-nhwc-pixels-softmax.onnx"), [1, 28, 28]);
        Assert.Equal(InputLayout.Nhwc, View(nhwc).Layout);
        Assert.True(((OnnxGraphModule)View(nhwc).Model).StripsSoftmax);
        using var nchw = ModelImport.Onnx(Imported("cnn-nchw-pixels.onnx"), [1, 28, 28]);
        Assert.Equal(InputLayout.Nchw, View(nchw).Layout);
        // Both declare batch 1: mnist-8 fixes it in a Reshape, so it runs sample by sample; the opset-17 export only
        // traced with 1, so it runs whole batches.
        using var mnist8 = ModelImport.Onnx(Shared("mnist-8.onnx"), [1, 28, 28]);
        Assert.Equal(1L, View(mnist8).FixedBatch);
        using var opset17 = ModelImport.Onnx(Imported("cnn-opset17-batch1.onnx"), [1, 28, 28]);
        Assert.Null(View(opset17).FixedBatch);
    }

    /// <summary>mnist-8 written by hand in TorchSharp from its initializers: SAME convolutions, pools, a matrix product.</summary>
    private sealed class HandWrittenMnist8 : nn.Module<Tensor, Tensor>
    {
        private readonly Tensor _w1, _b1, _w2, _b2, _w3, _b3;

        public HandWrittenMnist8(IReadOnlyDictionary<string, Tensor> p) : base("mnist8")
        {
            _w1 = p["Parameter5"];
            _b1 = p["Parameter6"];
            _w2 = p["Parameter87"];
            _b2 = p["Parameter88"];
            _w3 = p["Parameter193"].reshape(256, 10);
            _b3 = p["Parameter194"];
        }

        public override Tensor forward(Tensor x)
        {
            var h = nn.functional.relu(nn.functional.conv2d(x, _w1, padding: [2, 2]) + _b1);
            h = nn.functional.max_pool2d(h, [2, 2], [2, 2]);
            h = nn.functional.relu(nn.functional.conv2d(h, _w2, padding: [2, 2]) + _b2);
            h = nn.functional.max_pool2d(h, [3, 3], [3, 3]);
            return h.reshape(h.shape[0], 256).matmul(_w3) + _b3;
        }
    }

    [Fact]
    public void PgdOnImportedMnist8EqualsPgdOnTheHandWrittenNet()
    {
        var graph = OnnxGraph.Read(Shared("mnist-8.onnx"), null, null);
        using var hand = new TorchClassifier(new HandWrittenMnist8(graph.Initializers), 10, InputBounds.Unit, [1, 28, 28], ownsModule: true);
        using var imported = ModelImport.Onnx(Shared("mnist-8.onnx"), [1, 28, 28]);
        using var x = mnist.Test.Features.narrow(0, 0, 8);
        using var y = mnist.Test.Labels.narrow(0, 0, 8);
        var pgd = new Pgd(new PgdOptions { Epsilon = 0.1, StepSize = 0.01, Steps = 10, Seed = 5 });
        using var a = pgd.Craft(imported, x, AttackGoal.Untargeted(y));
        using var b = pgd.Craft(hand, x, AttackGoal.Untargeted(y));
        using var difference = (a - b).abs().max();
        Assert.True(difference.item<float>() <= 1e-5f, $"largest difference between the two PGD runs: {difference.item<float>():G3}");
        Assert.Equal(hand.Predict(b).data<long>().ToArray(), imported.Predict(a).data<long>().ToArray());
        using var moved = (a - x).abs().max();
        Assert.True(moved.item<float>() > 0.05f, "PGD did not move the inputs");
    }
}
