using NeuralShield.PyTorch;
using System.Collections;
using System.Text.Json;
using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Models;

public sealed class PyTorchWeightsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("neuralshield-pytorch-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Zoo => new() { "softmax", "mlp", "lenet" };

    private static nn.Module<Tensor, Tensor> Make(string name, long seed, int classes = 10) => name switch
    {
        "softmax" => ModelZoo.SoftmaxRegression(784, classes, seed),
        "mlp" => ModelZoo.Mlp(784, [32, 16], classes, Activation.Tanh, seed),
        _ => ModelZoo.LeNet5(classes, seed: seed),
    };

    private string File(string name) => Path.Combine(_folder, name);

    private static Tensor Forward(nn.Module<Tensor, Tensor> module, Tensor x)
    {
        using var _ = no_grad();
        return module.forward(x);
    }

    [Theory]
    [MemberData(nameof(Zoo))]
    public void ZooModelsRoundTripThroughThePyTorchFormat(string name)
    {
        using var source = Make(name, seed: 1);
        using var target = Make(name, seed: 2);
        var path = File($"{name}.pt");
        source.save_py(path);
        using var x = rand(6, 1, 28, 28, generator: new Generator(3));
        using var expected = Forward(source, x);
        using (var before = Forward(target, x)) Assert.False(TensorAssert.Same(expected, before));

        var report = PyTorchWeights.Load(target, path);

        using var after = Forward(target, x);
        Assert.True(TensorAssert.Same(expected, after));
        Assert.Equal(source.state_dict().Keys.Order(), report.Loaded.Order());
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
    }

    [Fact]
    public void NamesAreMappedByKeyOrByModulePrefix()
    {
        using var source = ModelZoo.LeNet5(seed: 1);
        var path = File("renamed.pt");
        PyTorchWeights.Save(source, path, new Dictionary<string, string> { ["logits"] = "fc3", ["conv1.weight"] = "features.0.weight" });
        var keys = PyTorchWeights.Describe(path);
        Assert.Contains("fc3.weight", keys.Keys);
        Assert.Contains("features.0.weight", keys.Keys);
        Assert.Contains("conv1.bias", keys.Keys);
        Assert.Equal(new long[] { 10, 84 }, keys["fc3.weight"]);

        using var target = ModelZoo.LeNet5(seed: 2);
        var strict = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(target, path));
        Assert.Contains("missing from the file: conv1.weight, logits.bias, logits.weight", strict.Message);
        Assert.Contains("unexpected in the file: fc3.bias, fc3.weight, features.0.weight", strict.Message);

        var map = new Dictionary<string, string> { ["fc3"] = "logits", ["features.0.weight"] = "conv1.weight" };
        PyTorchWeights.Load(target, path, new PyTorchLoadOptions { NameMap = map });
        using var x = rand(4, 1, 28, 28);
        using var a = Forward(source, x);
        using var b = Forward(target, x);
        Assert.True(TensorAssert.Same(a, b));

        var collision = new Dictionary<string, string> { ["fc3"] = "logits", ["fc2"] = "logits" };
        Assert.Contains("both map to", Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(target, path, new PyTorchLoadOptions { NameMap = collision })).Message);
    }

    [Fact]
    public void WrongShapesAreRefusedByNameAndLeaveTheModuleUnchanged()
    {
        using var tenClasses = ModelZoo.LeNet5(10, seed: 1);
        var path = File("ten.pt");
        tenClasses.save_py(path);
        using var fiveClasses = ModelZoo.LeNet5(5, seed: 2);
        using var x = rand(3, 1, 28, 28);
        using var before = Forward(fiveClasses, x);

        var e = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(fiveClasses, path));
        Assert.Contains("'logits.weight': the module expects [5, 84]", e.Message);
        Assert.Contains("has [10, 84]", e.Message);
        Assert.Contains("'logits.bias': the module expects [5]", e.Message);
        Assert.Contains(path, e.Message);
        using var after = Forward(fiveClasses, x);
        Assert.True(TensorAssert.Same(before, after));

        // Shapes are checked even when not strict.
        Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(fiveClasses, path, new PyTorchLoadOptions { Strict = false }));
    }

    [Fact]
    public void MissingAndUnexpectedKeysAreListed()
    {
        using var source = ModelZoo.Mlp(784, [32, 16], 10, seed: 1);
        var partial = File("partial.pt");
        source.save_py(partial, skip: ["fc1.bias", "logits.weight"]);
        using var target = ModelZoo.Mlp(784, [32, 16], 10, seed: 2);
        var e = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(target, partial));
        Assert.Contains("missing from the file: fc1.bias, logits.weight", e.Message);
        Assert.Contains("Strict = false", e.Message);

        var report = PyTorchWeights.Load(target, partial, new PyTorchLoadOptions { Strict = false });
        Assert.Equal(["fc1.bias", "logits.weight"], report.Missing);
        Assert.Equal(["fc1.weight", "fc2.bias", "fc2.weight", "logits.bias"], report.Loaded.Order());
        using (var loaded = target.state_dict()["fc2.weight"].clone())
            Assert.True(TensorAssert.Same(source.state_dict()["fc2.weight"], loaded));

        using var regression = ModelZoo.SoftmaxRegression(4, 3, seed: 1);
        var extra = File("extra.pt");
        using (var extraWeight = zeros(2, 2))
        {
            var state = new Hashtable();
            foreach (var (key, value) in regression.state_dict()) state[key] = value;
            state["temperature.weight"] = extraWeight;
            using var stream = System.IO.File.Create(extra);
            PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true);
        }
        using var other = ModelZoo.SoftmaxRegression(4, 3, seed: 2);
        Assert.Contains("unexpected in the file: temperature.weight", Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(other, extra)).Message);
        var ignored = PyTorchWeights.Load(other, extra, new PyTorchLoadOptions { Ignore = ["temperature.weight"] });
        Assert.Equal(["temperature.weight"], ignored.Ignored);
        var lenient = PyTorchWeights.Load(other, extra, new PyTorchLoadOptions { Strict = false });
        Assert.Equal(["temperature.weight"], lenient.Unexpected);
    }

    [Fact]
    public void AFileWrittenByPyTorchLoadsAndComputesPyTorchsLogits()
    {
        var fixture = FindFixture("pytorch-mlp-4-5-3.pt");
        var keys = PyTorchWeights.Describe(fixture);
        Assert.Equal(["1.bias", "1.weight", "3.bias", "3.weight"], keys.Keys);
        Assert.Equal(new long[] { 5, 4 }, keys["1.weight"]);

        using var model = ModelZoo.Mlp(4, [5], 3, Activation.ReLU, seed: 9);
        var report = PyTorchWeights.Load(model, fixture, new PyTorchLoadOptions { NameMap = new Dictionary<string, string> { ["1"] = "fc1", ["3"] = "logits" } });
        Assert.Equal(4, report.Loaded.Count);

        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(FindFixture("pytorch-mlp-4-5-3.json")));
        float[][] Read(string name) => json.RootElement.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var inputs = Read("inputs");
        var logits = Read("logits");
        using var x = tensor(inputs.SelectMany(r => r).ToArray(), [inputs.Length, 4]);
        using var expected = tensor(logits.SelectMany(r => r).ToArray(), [logits.Length, 3]);
        using var y = Forward(model, x);
        Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6), $"TorchSharp {y.str()} vs PyTorch {expected.str()}");
    }

    [Fact]
    public void LoadedWeightsAreAttackedWhiteBox()
    {
        using var source = ModelZoo.LeNet5(seed: 1);
        var path = File("lenet.pt");
        source.save_py(path);
        using var classifier = PyTorchWeights.LoadClassifier(ModelZoo.LeNet5(seed: 2), path, 10, inputShape: [1, 28, 28]);
        using var x = rand(8, 1, 28, 28, generator: new Generator(4));
        using var expected = Forward(source, x);
        using (var logits = classifier.Logits(x)) Assert.True(TensorAssert.Same(expected, logits.detach()));
        using var labels = expected.argmax(1);
        using var result = new Fgsm(new FgsmOptions { Epsilon = 0.3 }).Run(classifier, x, AttackGoal.Untargeted(labels));
        Assert.Equal(8, result.Metrics.SampleCount);
        Assert.True(result.Metrics.Queries > 0);
        using var change = (result.Adversarials - x).abs().max();
        Assert.True(change.item<float>() <= 0.3f + 1e-5f);

        // A refused file disposes the module handed over.
        var other = ModelZoo.LeNet5(5, seed: 2);
        Assert.Throws<ArgumentException>(() => PyTorchWeights.LoadClassifier(other, path, 5));
        Assert.Throws<InvalidOperationException>(() => other.parameters().First().shape);
    }

    [Fact]
    public void MissingAndForeignFilesAreRefusedByPath()
    {
        using var model = ModelZoo.SoftmaxRegression(4, 3);
        var missing = File("missing.pt");
        var notFound = Assert.Throws<FileNotFoundException>(() => PyTorchWeights.Load(model, missing));
        Assert.Equal(missing, notFound.FileName);

        var text = File("notes.pt");
        System.IO.File.WriteAllText(text, "not a PyTorch file");
        Assert.Contains(text, Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(model, text)).Message);
        var onnx = Path.Combine(SharedData.Models, "mnist-8.onnx");
        Assert.Contains(onnx, Assert.Throws<InvalidDataException>(() => PyTorchWeights.Describe(onnx)).Message);
    }

    [Fact]
    public void OptionsAreCopied()
    {
        using var source = ModelZoo.SoftmaxRegression(4, 3, seed: 1);
        var path = File("copied.pt");
        PyTorchWeights.Save(source, path, new Dictionary<string, string> { ["linear"] = "fc" });
        var map = new Dictionary<string, string> { ["fc"] = "linear" };
        var options = new PyTorchLoadOptions { NameMap = map };
        var copy = options.Copy();
        map["fc"] = "other";
        Assert.Equal("linear", copy.NameMap!["fc"]);
        using var target = ModelZoo.SoftmaxRegression(4, 3, seed: 2);
        PyTorchWeights.Load(target, path, copy);
        Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(target, path, new PyTorchLoadOptions { NameMap = new Dictionary<string, string> { [""] = "x" } }));
    }

    private static string FindFixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Models", "Fixtures", name);
            if (System.IO.File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"The fixture {name} (tests/NeuralShield.Tests/Models/Fixtures) was not found above {AppContext.BaseDirectory}.", name);
    }
}
