using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Fooling;
using NeuralShield.Audit;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Onnx;
using NeuralShield.Training;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Models;

/// <summary>The first 2,000 MNIST test images, loaded once for the ONNX tests.</summary>
public sealed class OnnxMnistFixture : IDisposable
{
    public const int Count = 2000;

    private readonly LabeledData _all;

    public OnnxMnistFixture()
    {
        _all = Mnist.Load(SharedData.Mnist, MnistSplit.Test);
        Test = _all.Take(Count);
    }

    public LabeledData Test { get; }

    public void Dispose()
    {
        Test.Dispose();
        _all.Dispose();
    }
}

public class OnnxClassifierTests(OnnxMnistFixture mnist) : IClassFixture<OnnxMnistFixture>
{
    private static string Mnist8 => Path.Combine(SharedData.Models, "mnist-8.onnx");

    private static string LeNet => Path.Combine(SharedData.Models, "lenet5-pytorch.onnx");

    [Fact]
    public void ZooMnist8ReachesItsAccuracyOnPixelsInUnitRangeAndRawPixels()
    {
        using var unit = new OnnxClassifier(Mnist8);
        Assert.Equal("Input3", unit.InputName);
        Assert.Equal(1, unit.FixedBatchSize);
        Assert.Equal(new long[] { 1, 1, 28, 28 }, unit.ModelInputShape);
        Assert.Equal(10, unit.ClassCount);
        var accuracy = ModelAccuracy.Of(unit, mnist.Test, batchSize: 500);
        Assert.True(accuracy >= 0.98, $"mnist-8 on pixels/255: {accuracy:P2}");
        Assert.Equal(OnnxOutput.Logits, unit.Output);
        Assert.Equal(OnnxMnistFixture.Count, unit.QueryCount);

        using var raw = new OnnxClassifier(Mnist8, new OnnxClassifierOptions { Scaling = InputScaling.UnitToPixels });
        var rawAccuracy = ModelAccuracy.Of(raw, mnist.Test, batchSize: 500);
        Assert.True(rawAccuracy >= 0.98, $"mnist-8 on raw pixels 0-255: {rawAccuracy:P2}");
    }

    [Fact]
    public void PyTorchLeNetExportReachesItsAccuracy()
    {
        using var model = new OnnxClassifier(LeNet, new OnnxClassifierOptions { MaxBatchSize = 500 });
        Assert.Null(model.FixedBatchSize);
        Assert.Equal(new long[] { 1, 28, 28 }, model.SampleShape);
        var accuracy = ModelAccuracy.Of(model, mnist.Test, batchSize: 1000);
        Assert.True(accuracy >= 0.975, $"lenet5-pytorch: {accuracy:P2}");
        Assert.Equal(OnnxMnistFixture.Count, model.QueryCount);
    }

    [Fact]
    public void FixedBatchOfOneIsBatchedTransparently()
    {
        using var model = new OnnxClassifier(Mnist8);
        using var batch = mnist.Test.Take(25);
        using var together = model.PredictProbabilities(batch.Features);
        Assert.Equal(new long[] { 25, 10 }, together.shape);
        for (var i = 0; i < 25; i++)
        {
            using var one = batch.Features.narrow(0, i, 1);
            using var alone = model.PredictProbabilities(one);
            using var row = together.narrow(0, i, 1);
            Assert.True(alone.allclose(row, rtol: 1e-6, atol: 1e-7), $"sample {i}");
        }
        Assert.Equal(50, model.QueryCount);
        model.ResetQueryCount();
        Assert.Equal(0, model.QueryCount);
    }

    [Fact]
    public void DynamicBatchRunsInChunksWithTheSameAnswers()
    {
        using var chunked = new OnnxClassifier(LeNet, new OnnxClassifierOptions { MaxBatchSize = 7 });
        using var whole = new OnnxClassifier(LeNet);
        using var batch = mnist.Test.Slice(100, 30);
        using var a = chunked.PredictProbabilities(batch.Features);
        using var b = whole.PredictProbabilities(batch.Features);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-6));
        Assert.Equal(30, chunked.QueryCount);
    }

    [Fact]
    public void FixedBatchLargerThanOneIsPaddedAndTrimmed()
    {
        using var fixed3 = new OnnxClassifier(OnnxTestModels.Flatten(batch: 3), new OnnxClassifierOptions { Output = OnnxOutput.Probabilities });
        Assert.Equal(3, fixed3.FixedBatchSize);
        using var x = rand(7, 1, 2, 2);
        using var y = fixed3.PredictProbabilities(x);
        using var expected = x.reshape(7, 4);
        Assert.True(y.allclose(expected));
        Assert.Equal(7, fixed3.QueryCount);
    }

    [Fact]
    public void LogitsAreDetectedAndSoftmaxed()
    {
        using var lenet = new OnnxClassifier(LeNet);
        using var batch = mnist.Test.Take(50);
        using var p = lenet.PredictProbabilities(batch.Features);
        using var sums = p.sum(1);
        Assert.True(sums.allclose(ones(50), atol: 1e-5));
        using var min = p.min();
        Assert.True(min.item<float>() >= 0);
        Assert.Equal(OnnxOutput.Logits, lenet.Output);

        // The identity "logits" of the test model are non-negative but do not sum to 1: still detected.
        using var flatten = new OnnxClassifier(OnnxTestModels.Flatten());
        using var x = rand(4, 1, 2, 2);
        using var q = flatten.PredictProbabilities(x);
        using var softmax = x.reshape(4, 4).softmax(1);
        Assert.True(q.allclose(softmax, atol: 1e-6));
        Assert.Equal(OnnxOutput.Logits, flatten.Output);

        // Declared logits are softmaxed without looking.
        using var declared = new OnnxClassifier(OnnxTestModels.Flatten(), new OnnxClassifierOptions { Output = OnnxOutput.Logits });
        using var r = declared.PredictProbabilities(x);
        Assert.True(r.allclose(softmax, atol: 1e-6));
    }

    [Fact]
    public void ProbabilitiesArePassedThrough()
    {
        using var model = new OnnxClassifier(OnnxTestModels.FlattenSoftmax());
        using var x = rand(6, 1, 2, 2);
        using var p = model.PredictProbabilities(x);
        using var expected = x.reshape(6, 4).softmax(1);
        Assert.True(p.allclose(expected, atol: 1e-6));
        Assert.Equal(OnnxOutput.Detect, model.Output);
    }

    [Fact]
    public void ScalingMapsCallerValuesToModelInputs()
    {
        using var x = rand(5, 1, 2, 2);
        using var flat = x.reshape(5, 4);
        var probabilities = new OnnxClassifierOptions { Output = OnnxOutput.Probabilities };

        using var identity = new OnnxClassifier(OnnxTestModels.Flatten(), probabilities);
        using var a = identity.PredictProbabilities(x);
        Assert.True(a.allclose(flat));

        var pixels = probabilities.Copy();
        pixels.Scaling = InputScaling.UnitToPixels;
        using var toPixels = new OnnxClassifier(OnnxTestModels.Flatten(), pixels);
        using var b = toPixels.PredictProbabilities(x);
        using var flat255 = flat * 255;
        Assert.True(b.allclose(flat255, atol: 1e-4));

        // Callers in 0–255, model on [0, 1].
        var raw = probabilities.Copy();
        raw.Bounds = new InputBounds(0, 255);
        raw.Scaling = InputScaling.PixelsToUnit;
        using var fromPixels = new OnnxClassifier(OnnxTestModels.Flatten(), raw);
        using var x255 = x * 255;
        using var c = fromPixels.PredictProbabilities(x255);
        Assert.True(c.allclose(flat, atol: 1e-5));

        // Per channel: (x − mean[c]) / std[c] on [N, 2, 1, 2].
        var normalised = probabilities.Copy();
        normalised.Scaling = InputScaling.Normalize([0.5f, 0.25f], [0.5f, 2f]);
        using var two = new OnnxClassifier(OnnxTestModels.TwoChannels(), normalised);
        using var z = rand(3, 2, 1, 2);
        using var d = two.PredictProbabilities(z);
        using var mean = tensor(new[] { 0.5f, 0.25f }).reshape(1, 2, 1, 1);
        using var std = tensor(new[] { 0.5f, 2f }).reshape(1, 2, 1, 1);
        using var expected = ((z - mean) / std).reshape(3, 4);
        Assert.True(d.allclose(expected, atol: 1e-5));

        var wrongChannels = probabilities.Copy();
        wrongChannels.Scaling = InputScaling.Normalize([0.5f], [0.5f]);
        var e = Assert.Throws<ArgumentException>(() => new OnnxClassifier(OnnxTestModels.TwoChannels(), wrongChannels));
        Assert.Contains("1 channel", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => InputScaling.Affine(0f));
        Assert.Throws<ArgumentException>(() => InputScaling.Normalize([0.5f], [0f]));
    }

    [Fact]
    public void MissingAndCorruptFilesAreRefusedByPath()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"neuralshield-missing-{Guid.NewGuid():N}.onnx");
        var notFound = Assert.Throws<FileNotFoundException>(() => new OnnxClassifier(missing));
        Assert.Equal(missing, notFound.FileName);
        Assert.Contains(missing, notFound.Message);

        var corrupt = Path.Combine(Path.GetTempPath(), $"neuralshield-corrupt-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(corrupt, "this is not an ONNX model"u8.ToArray());
        try
        {
            var invalid = Assert.Throws<InvalidDataException>(() => new OnnxClassifier(corrupt));
            Assert.Contains(corrupt, invalid.Message);
            // A truncated copy of a real model.
            var bytes = File.ReadAllBytes(Mnist8);
            File.WriteAllBytes(corrupt, bytes[..(bytes.Length / 2)]);
            Assert.Contains(corrupt, Assert.Throws<InvalidDataException>(() => new OnnxClassifier(corrupt)).Message);
        }
        finally
        {
            File.Delete(corrupt);
        }
    }

    [Fact]
    public void SeveralInputsOrOutputsNeedANameAndNamesAreChecked()
    {
        var inputs = Assert.Throws<ArgumentException>(() => new OnnxClassifier(OnnxTestModels.TwoInputs()));
        Assert.Contains("'a'", inputs.Message);
        Assert.Contains("'b'", inputs.Message);
        Assert.Contains(nameof(OnnxClassifierOptions.InputName), inputs.Message);

        var outputs = Assert.Throws<ArgumentException>(() => new OnnxClassifier(OnnxTestModels.TwoOutputs()));
        Assert.Contains("'logits'", outputs.Message);
        Assert.Contains(nameof(OnnxClassifierOptions.OutputName), outputs.Message);

        using var named = new OnnxClassifier(OnnxTestModels.TwoOutputs(), new OnnxClassifierOptions { OutputName = "probabilities" });
        Assert.Equal("probabilities", named.OutputName);
        using var x = rand(2, 1, 2, 2);
        using var p = named.PredictProbabilities(x);
        using var expected = x.reshape(2, 4).softmax(1);
        Assert.True(p.allclose(expected, atol: 1e-6));

        var unknown = Assert.Throws<ArgumentException>(() => new OnnxClassifier(OnnxTestModels.TwoOutputs(), new OnnxClassifierOptions { OutputName = "scores" }));
        Assert.Contains("'scores'", unknown.Message);
        Assert.Contains("'probabilities'", unknown.Message);
        var badInput = Assert.Throws<ArgumentException>(() => new OnnxClassifier(Mnist8, new OnnxClassifierOptions { InputName = "input" }));
        Assert.Contains("'Input3'", badInput.Message);

        // Naming one of two required inputs loads, but running without the other is a clear failure.
        using var half = new OnnxClassifier(OnnxTestModels.TwoInputs(), new OnnxClassifierOptions { InputName = "a" });
        Assert.Throws<InvalidOperationException>(() => half.PredictProbabilities(x));

        var integer = Assert.Throws<ArgumentException>(() => new OnnxClassifier(OnnxTestModels.Int64Input()));
        Assert.Contains("float32", integer.Message);
    }

    [Fact]
    public void InputShapeMustMatchTheModel()
    {
        using var model = new OnnxClassifier(Mnist8);
        foreach (var shape in new long[][] { [2, 1, 28, 27], [2, 784], [2, 3, 28, 28], [2, 1, 1, 28, 28] })
        {
            using var x = rand(shape);
            var e = Assert.Throws<ArgumentException>(() => model.PredictProbabilities(x));
            Assert.Equal("inputs", e.ParamName);
            Assert.Contains($"[{string.Join(", ", shape)}]", e.Message);
            Assert.Contains("[1, 28, 28]", e.Message);
        }
        Assert.Equal(0, model.QueryCount);
    }

    [Fact]
    public void ClassCountIsCheckedAgainstTheModel()
    {
        var e = Assert.Throws<ArgumentException>(() => new OnnxClassifier(Mnist8, new OnnxClassifierOptions { ClassCount = 9 }));
        Assert.Contains("9", e.Message);
        Assert.Contains("10 classes", e.Message);
        using var declared = new OnnxClassifier(Mnist8, new OnnxClassifierOptions { ClassCount = 10 });
        Assert.Equal(10, declared.ClassCount);

        // A class dimension the model does not declare must be given, and is checked on the answers.
        var undeclared = Assert.Throws<ArgumentException>(() => new OnnxClassifier(OnnxTestModels.DynamicIdentity()));
        Assert.Contains(nameof(OnnxClassifierOptions.ClassCount), undeclared.Message);
        using var four = new OnnxClassifier(OnnxTestModels.DynamicIdentity(), new OnnxClassifierOptions { ClassCount = 4 });
        Assert.Equal(new long[] { -1 }, four.SampleShape);
        using var x = rand(3, 4);
        using var p = four.PredictProbabilities(x);
        Assert.Equal(new long[] { 3, 4 }, p.shape);
        using var five = new OnnxClassifier(OnnxTestModels.DynamicIdentity(), new OnnxClassifierOptions { ClassCount = 5 });
        Assert.Contains("[3, 5]", Assert.Throws<InvalidOperationException>(() => five.PredictProbabilities(x)).Message);
    }

    [Fact]
    public void NaNInfiniteAndOutOfBoundsInputsAreRefused()
    {
        using var model = new OnnxClassifier(LeNet);
        using var x = rand(4, 1, 28, 28);
        using var nan = x.clone();
        nan[2, 0, 3, 3] = tensor(float.NaN);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => model.PredictProbabilities(nan)).Message);
        using var inf = x.clone();
        inf[1, 0, 0, 0] = tensor(float.PositiveInfinity);
        Assert.Contains("infinite", Assert.Throws<ArgumentException>(() => model.PredictProbabilities(inf)).Message);
        using var pixels = x * 255;
        Assert.Contains("bounds", Assert.Throws<ArgumentException>(() => model.PredictProbabilities(pixels)).Message);
        using var integers = zeros([2, 1, 28, 28], ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => model.PredictProbabilities(integers));
        Assert.Equal(0, model.QueryCount);

        // Other float dtypes are converted.
        using var doubles = x.to_type(ScalarType.Float64);
        using var p64 = model.PredictProbabilities(doubles);
        using var p32 = model.PredictProbabilities(x);
        Assert.True(p64.allclose(p32, atol: 1e-6));
    }

    [Fact]
    public void OptionsAreValidatedAndCopied()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxClassifier(Mnist8, new OnnxClassifierOptions { MaxBatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxClassifier(Mnist8, new OnnxClassifierOptions { IntraOpThreads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxClassifier(Mnist8, new OnnxClassifierOptions { ClassCount = 1 }));
        Assert.Throws<ArgumentException>(() => new OnnxClassifier(Mnist8, new OnnxClassifierOptions { Bounds = default }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxClassifier(Mnist8, new OnnxClassifierOptions { Output = (OnnxOutput)7 }));
        var options = new OnnxClassifierOptions { Bounds = new InputBounds(0, 255), Scaling = InputScaling.PixelsToUnit };
        using var model = new OnnxClassifier(Mnist8, options);
        options.Bounds = InputBounds.Unit;
        model.Options.Bounds = InputBounds.Unit;
        Assert.Equal(new InputBounds(0, 255), model.Bounds);
        Assert.Same(InputScaling.PixelsToUnit, model.Options.Scaling);
    }

    [Fact]
    public void CallsFromSeveralThreadsAreAnsweredAndCounted()
    {
        using var model = new OnnxClassifier(LeNet);
        using var batch = mnist.Test.Take(16);
        using var expected = model.PredictProbabilities(batch.Features);
        var same = new bool[4 * 5];
        Parallel.For(0, same.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var p = model.PredictProbabilities(batch.Features);
            same[i] = p.allclose(expected, rtol: 1e-6, atol: 1e-7);
        });
        Assert.All(same, Assert.True);
        Assert.Equal(16 * 21, model.QueryCount);
    }

    [Fact]
    public void DisposedClassifierRefusesQueries()
    {
        var model = new OnnxClassifier(LeNet);
        using var x = rand(2, 1, 28, 28);
        using (var p = model.PredictProbabilities(x)) Assert.Equal(new long[] { 2, 10 }, p.shape);
        model.Dispose();
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.PredictProbabilities(x));
    }

    [Fact]
    public void BlackBoxAttacksRunOnItAndTheAuditSkipsWhiteBoxOnes()
    {
        using var model = new OnnxClassifier(LeNet);
        var evolution = new EvolutionaryFooling(new EvolutionaryFoolingOptions { PopulationSize = 20, Generations = 3, ConfidenceThreshold = 0.99, Seed = 1 });
        using (var fooled = evolution.Generate(model, [0, 1, 2], [1, 28, 28]))
        {
            Assert.Equal(3, fooled.Metrics.Count);
            Assert.True(fooled.Metrics.Queries > 0);
            Assert.True(fooled.Metrics.MeanConfidence > 0);
        }
        Assert.True(model.QueryCount > 0);

        using var test = mnist.Test.Take(40);
        var auditor = new Auditor(new AuditOptions
        {
            TestSamples = 20,
            Entries =
            [
                AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = 0.1 }), "eps=0.1"),
                AuditEntry.Fooling(evolution, "(1+20) elitist, 3 generations"),
            ],
        });
        var report = auditor.Run([new AuditTarget("lenet5-pytorch.onnx", model)], test, test);
        Assert.Equal(ModelAccess.Probabilities, report.Models[0].Access);
        Assert.True(report.Models[0].CleanAccuracy >= 0.9);
        var fgsm = report.Results.Single(r => r.Attack.Name == new Fgsm().Descriptor.Name);
        Assert.NotNull(fgsm.Skipped);
        Assert.Contains("white-box", fgsm.Skipped);
        var fooling = report.Results.Single(r => r.Attack.Name == evolution.Descriptor.Name);
        Assert.Null(fooling.Skipped);
        Assert.Equal(10, fooling.Fooling!.Value.Count);
    }
}
