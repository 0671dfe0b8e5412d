using NeuralShield.Models;
using NeuralShield.Onnx;
using NeuralShield.PyTorch;
using static NeuralShield.Tests.Models.ModelImportTests;

namespace NeuralShield.Tests.Models;

/// <summary>Bad model files and contracts: each a clear exception naming what is wrong, never a wrong answer.</summary>
public class ModelImportInputTests(OnnxMnistFixture mnist) : IClassFixture<OnnxMnistFixture>
{
    [Fact]
    public void AnUnsupportedOperatorIsNamedWithItsNode()
    {
        var e = Assert.Throws<NotSupportedException>(() => ModelImport.Onnx(Imported("bad-unsupported-elu.onnx"), [1, 28, 28]));
        Assert.Contains("operator 'Elu'", e.Message);
        Assert.Contains("node '/Elu'", e.Message);
        // The black-box route still runs it.
        using var blackBox = new OnnxClassifier(Imported("bad-unsupported-elu.onnx"), new OnnxClassifierOptions { Layout = InputLayout.Nchw });
        using var p = blackBox.PredictProbabilities(mnist.Test.Features.narrow(0, 0, 4));
        Assert.Equal(new long[] { 4, 10 }, p.shape);
    }

    [Fact]
    public void AnInputRankTheDataCannotFitIsRefusedAtLoad()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelImport.Onnx(Imported("bad-input-rank3.onnx"), [1, 28, 28]));
        Assert.Equal("sampleShape", e.ParamName);
        Assert.Contains("[28, 28]", e.Message);
        Assert.Contains("[1, 28, 28]", e.Message);
        // A layout given that does not fit the model is refused the same way.
        var nchw = Assert.Throws<ArgumentException>(() => ModelImport.Onnx(Imported("cnn-nhwc-pixels-softmax.onnx"), [1, 28, 28], new OnnxClassifierOptions { Layout = InputLayout.Nchw }));
        Assert.Contains("layout Nchw", nchw.Message);
    }

    [Fact]
    public void ModelFilesTellsTheFormatsApartByContent()
    {
        using var test = mnist.Test.Take(300);
        // TorchScript (a zip holding code) and ONNX become white boxes; the unsupported operator falls back, saying why.
        using (var script = ModelFiles.Open(Imported("cnn-gap.pt"), test, OptionsOf("cnn-gap.pt")) as IDisposable) Assert.IsType<TorchClassifier>(script);
        using (var onnx = ModelFiles.Open(Imported("mlp-flat.onnx"), test, new OnnxClassifierOptions()) as IDisposable) Assert.IsType<TorchClassifier>(onnx);
        var notes = new List<string>();
        using (var elu = ModelFiles.Open(Imported("bad-unsupported-elu.onnx"), test, new OnnxClassifierOptions { Layout = InputLayout.Nchw }, notes.Add) as IDisposable)
            Assert.IsType<OnnxClassifier>(elu);
        Assert.Contains("operator 'Elu'", Assert.Single(notes));
        // A state_dict archive and TorchSharp weights are left to the caller, which knows the architecture.
        var stateDict = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Models", "Fixtures", "pytorch-mlp-4-5-3.pt");
        Assert.Null(ModelFiles.Open(stateDict, test, new OnnxClassifierOptions()));
        // A model fed the wrong scale is refused, naming the one that fits.
        var wrong = Assert.Throws<InvalidDataException>(() => ModelFiles.Open(Imported("cnn-nchw-pixels.onnx"), test, new OnnxClassifierOptions()));
        Assert.Contains("--input-scale 255", wrong.Message);
    }

    [Fact]
    public void ATruncatedOnnxFileIsRefusedNamingIt()
    {
        var bytes = File.ReadAllBytes(Imported("cnn-nchw-pixels.onnx"));
        var path = Path.Combine(Path.GetTempPath(), $"truncated-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ModelImport.Onnx(path, [1, 28, 28]));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ATruncatedTorchScriptFileIsRefused()
    {
        var bytes = File.ReadAllBytes(Imported("cnn-gap.pt"));
        var path = Path.Combine(Path.GetTempPath(), $"truncated-{Guid.NewGuid():N}.pt");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ModelImport.TorchScript(path, [1, 28, 28]));
            Assert.Contains(path, e.Message);
            Assert.Contains("torch.jit.save", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AStateDictNameMapNamingNoLayerIsRefused()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Models", "Fixtures", "pytorch-mlp-4-5-3.pt");
        using var model = ModelZoo.Mlp(4, [5], 3, Activation.ReLU, seed: 9);
        var e = Assert.Throws<ArgumentException>(() => PyTorchWeights.Load(model, fixture, new PyTorchLoadOptions { NameMap = new Dictionary<string, string> { ["1"] = "fc1", ["fc3"] = "logits" } }));
        Assert.Equal("options", e.ParamName);
        Assert.Contains("'fc3'", e.Message);
        Assert.Contains("its layers are 1, 3", e.Message);
    }

    [Theory]
    [InlineData(0.19, 0.10, true)]   // ten balanced classes: the line is 0.10 + 0.1 · 0.90 = 0.19
    [InlineData(0.20, 0.10, false)]
    [InlineData(0.78, 0.76, true)]   // Adult: 0.76 + 0.1 · 0.24 = 0.784
    [InlineData(0.79, 0.76, false)]
    public void NearChanceIsATenthOfTheWayFromTheMostFrequentClassToPerfect(double accuracy, double chance, bool near)
    {
        var check = new InputContractCheck(accuracy, chance, 300, null, double.NaN);
        Assert.Equal(near, check.NearChance);
        Assert.Equal(!near, check.Fits);
    }

    [Fact]
    public void PixelsToUnitOnUnitBoundsIsRefusedNamingTheFix()
    {
        var e = Assert.Throws<ArgumentException>(() => new OnnxClassifier(Imported("cnn-nchw-pixels.onnx"), new OnnxClassifierOptions { Scaling = InputScaling.PixelsToUnit }));
        Assert.Equal("Scaling", e.ParamName);
        Assert.Contains("Bounds = new InputBounds(0, 255)", e.Message);
        Assert.Throws<ArgumentException>(() => ModelImport.Onnx(Imported("mlp-flat.onnx"), [1, 28, 28], new OnnxClassifierOptions { Scaling = InputScaling.PixelsToUnit }));
    }

    [Fact]
    public void AWrongScalingIsCaughtAndTheFittingOneNamed()
    {
        var path = Imported("cnn-nchw-pixels.onnx");
        IClassifier Open(OnnxClassifierOptions o) => ModelImport.Onnx(path, [1, 28, 28], o);
        var wrong = InputContract.Check(Open, new OnnxClassifierOptions(), mnist.Test, maxSamples: 200);
        Assert.False(wrong.Fits);
        Assert.Equal(255f, wrong.Better!.Scaling.Scale);
        Assert.Equal(InputLayout.Nchw, wrong.Better.Layout);
        Assert.True(wrong.BetterAccuracy > 0.6, wrong.ToString());
        var right = InputContract.Check(Open, OptionsOf("cnn-nchw-pixels.onnx"), mnist.Test, maxSamples: 200);
        Assert.True(right.Fits, right.ToString());
        Assert.Equal(right.Accuracy, wrong.BetterAccuracy);
    }

    [Fact]
    public void AMissingNormalisationIsCaughtAndTheDataMeanAndStdNamed()
    {
        var path = Imported("cnn-gap.pt");
        IClassifier Open(OnnxClassifierOptions o) => ModelImport.TorchScript(path, [1, 28, 28], o);
        var wrong = InputContract.Check(Open, new OnnxClassifierOptions(), mnist.Test, maxSamples: 200);
        Assert.False(wrong.Fits, wrong.ToString());
        Assert.NotNull(wrong.Better!.Scaling.Mean);
        Assert.InRange(wrong.Better.Scaling.Mean![0], 0.10f, 0.16f);
    }
}
