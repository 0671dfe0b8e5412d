using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralShield.Data;
using NeuralShield.MLNet;
using NeuralShield.Models;
using NeuralShield.Tests.Data;
using NeuralShield.Training;
using static TorchSharp.torch;

namespace NeuralShield.Tests.MLNet;

/// <summary>3,000 Adult training rows and 2,000 test rows, loaded once.</summary>
public sealed class AdultSampleFixture : IDisposable
{
    private readonly AdultDataset _adult = AdultDataset.Load(SharedData.Adult);

    public AdultSampleFixture()
    {
        using var shuffled = _adult.Train.Shuffle(1);
        Train = shuffled.Take(3000);
        Test = _adult.Test.Take(2000);
        Bounds = InputBounds.Covering(_adult.Train.Features, _adult.Test.Features);
        Schema = _adult.Schema;
        _model = new Lazy<TorchClassifier>(TrainModel);
    }

    private readonly Lazy<TorchClassifier> _model;

    /// <summary>A small tabular MLP trained briefly on <see cref="Train"/> (once, when first asked for).</summary>
    public TorchClassifier Model => _model.Value;

    private TorchClassifier TrainModel()
    {
        var module = ModelZoo.Mlp((int)Train.FeatureCount, [32], 2, Activation.ReLU, 1);
        new Trainer(new TrainingOptions { Epochs = 5, BatchSize = 64, LearningRate = 3e-3, Seed = 1 }).Fit(module, Train);
        return new TorchClassifier(module, 2, Bounds, ownsModule: true);
    }

    public FeatureSchema Schema { get; }

    public LabeledData Train { get; }

    public LabeledData Test { get; }

    public InputBounds Bounds { get; }

    public void Dispose()
    {
        if (_model.IsValueCreated) _model.Value.Dispose();
        Train.Dispose();
        Test.Dispose();
        _adult.Dispose();
    }
}

public class MLNetClassifierTests(AdultSampleFixture adult) : IClassFixture<AdultSampleFixture>
{
    [Fact]
    public void Sdca_on_adult_answers_ml_nets_own_probabilities_and_accuracy()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var path = dir.File("sdca.zip");
        var model = MLNetModels.TrainAndSave(ml, ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 30),
            MLNetModels.Binary(ml, adult.Train), path);
        CheckAgainstMLNet(ml, model, path);
    }

    [Fact]
    public void FastTree_on_adult_answers_ml_nets_own_probabilities_and_accuracy()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var path = dir.File("fasttree.zip");
        var model = MLNetModels.TrainAndSave(ml, ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 8, numberOfTrees: 30, minimumExampleCountPerLeaf: 10),
            MLNetModels.Binary(ml, adult.Train), path);
        CheckAgainstMLNet(ml, model, path);
    }

    [Fact]
    public void An_uncalibrated_binary_model_answers_the_logistic_of_its_score()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var path = dir.File("perceptron.zip");
        var model = MLNetModels.TrainAndSave(ml, ml.BinaryClassification.Trainers.AveragedPerceptron(numberOfIterations: 5),
            MLNetModels.Binary(ml, adult.Train), path);
        var target = new MLNetClassifier(path, new MLNetClassifierOptions { Bounds = adult.Bounds });
        Assert.True(target.IsBinary);
        Assert.False(target.HasProbability);
        var scored = model.Transform(MLNetModels.Binary(ml, adult.Test));
        var scores = scored.GetColumn<float>("Score").ToArray();
        using var probabilities = target.PredictProbabilities(adult.Test.Features);
        var positive = probabilities[.., 1].data<float>().ToArray();
        for (var i = 0; i < scores.Length; i++) Assert.Equal(1 / (1 + Math.Exp(-scores[i])), positive[i], 1e-5);
        Assert.Equal(ml.BinaryClassification.EvaluateNonCalibrated(scored).Accuracy, ModelAccuracy.Of(target, adult.Test, batchSize: 500), 1e-9);
    }

    private void CheckAgainstMLNet(MLContext ml, ITransformer model, string path)
    {
        var target = new MLNetClassifier(path, new MLNetClassifierOptions { Bounds = adult.Bounds });
        Assert.True(target.IsBinary);
        Assert.True(target.HasProbability);
        Assert.Equal(2, target.ClassCount);
        Assert.Equal(adult.Test.FeatureCount, target.FeatureCount);
        var scored = model.Transform(MLNetModels.Binary(ml, adult.Test));
        var expected = scored.GetColumn<float>("Probability").ToArray();
        using var probabilities = target.PredictProbabilities(adult.Test.Features);
        Assert.Equal(adult.Test.Count, target.QueryCount);
        var positive = probabilities[.., 1].data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], positive[i], 1e-6f);
        // ML.NET's accuracy is that of its PredictedLabel column; the adapter's is the argmax of its probabilities.
        var mlnetAccuracy = ml.BinaryClassification.Evaluate(scored).Accuracy;
        var accuracy = ModelAccuracy.Of(target, adult.Test, batchSize: 500);
        Assert.Equal(mlnetAccuracy, accuracy, 1e-9);
        Assert.True(accuracy > 0.8, $"accuracy {accuracy}");
    }

    [Fact]
    public void Multiclass_sdca_on_digits_puts_score_slots_in_class_order()
    {
        var ml = new MLContext(seed: 1);
        using var digits = Datasets.Digits();
        // Shuffled, so that the label's value-to-key mapping (order of appearance) does not follow the class numbers.
        using var shuffled = digits.Shuffle(3);
        var (train, test) = shuffled.Split(0.7, 4);
        using var _ = train;
        using var __ = test;
        using var dir = new TempDir();
        var path = dir.File("digits.zip");
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20));
        var model = MLNetModels.TrainAndSave(ml, pipeline, MLNetModels.Multiclass(ml, train), path);
        var target = new MLNetClassifier(path);
        Assert.False(target.IsBinary);
        Assert.Equal(10, target.ClassCount);
        var scored = model.Transform(MLNetModels.Multiclass(ml, test));
        var mlnetAccuracy = ml.MulticlassClassification.Evaluate(scored).MicroAccuracy;
        var accuracy = ModelAccuracy.Of(target, test, batchSize: 200);
        Assert.Equal(mlnetAccuracy, accuracy, 1e-9);
        Assert.True(accuracy > 0.9, $"accuracy {accuracy}");
        // The predicted class of each row is the class ML.NET predicts (its PredictedLabel key's value).
        var predictedKeys = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var firstLabels = MLNetModels.Multiclass(ml, train).GetColumn<float>("Label").Distinct().ToArray();
        using var probabilities = target.PredictProbabilities(test.Features);
        var argmax = probabilities.argmax(1).data<long>().ToArray();
        for (var i = 0; i < argmax.Length; i++) Assert.Equal((long)firstLabels[predictedKeys[i] - 1], argmax[i]);
    }

    [Fact]
    public void Multiclass_lightgbm_on_digits_has_ml_nets_accuracy()
    {
        var ml = new MLContext(seed: 1);
        using var digits = Datasets.Digits();
        var (train, test) = digits.Split(0.7, 5);
        using var _ = train;
        using var __ = test;
        using var dir = new TempDir();
        var path = dir.File("lightgbm.zip");
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LightGbm(numberOfLeaves: 8, numberOfIterations: 15));
        var model = MLNetModels.TrainAndSave(ml, pipeline, MLNetModels.Multiclass(ml, train), path);
        var target = new MLNetClassifier(path);
        var mlnetAccuracy = ml.MulticlassClassification.Evaluate(model.Transform(MLNetModels.Multiclass(ml, test))).MicroAccuracy;
        Assert.Equal(mlnetAccuracy, ModelAccuracy.Of(target, test, batchSize: 200), 1e-9);
        Assert.True(mlnetAccuracy > 0.85, $"accuracy {mlnetAccuracy}");
    }

    [Fact]
    public void A_truncated_zip_another_zip_and_a_text_file_are_not_models()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var good = dir.File("sdca.zip");
        MLNetModels.TrainAndSave(ml, ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 5), MLNetModels.Binary(ml, adult.Test), good);
        var bytes = File.ReadAllBytes(good);
        var truncated = dir.Write("truncated.zip", bytes[..(bytes.Length / 2)]);
        var other = dir.File("other.zip");
        using (var zip = ZipFile.Open(other, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("notes.txt").Open()))
            writer.Write("not a model");
        var text = dir.WriteText("model.zip.txt", "hello");
        foreach (var path in new[] { truncated, other, text })
        {
            var e = Assert.Throws<InvalidDataException>(() => new MLNetClassifier(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("not an ML.NET model", e.Message);
        }
        Assert.Throws<FileNotFoundException>(() => new MLNetClassifier(dir.File("missing.zip")));
    }

    [Fact]
    public void An_ml_net_model_on_adult_is_audited_by_the_valid_record_search()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var path = dir.File("sdca.zip");
        MLNetModels.TrainAndSave(ml, ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 30), MLNetModels.Binary(ml, adult.Train), path);
        var target = new MLNetClassifier(path, new MLNetClassifierOptions { Bounds = adult.Bounds });
        var schema = adult.Schema.WithImmutable("age", "sex");
        var entries = NeuralShield.Audit.AttackCatalog.Select(
            NeuralShield.Audit.AttackCatalog.Full(new NeuralShield.Audit.AuditCatalogOptions { SampleShape = [adult.Test.FeatureCount], Schema = schema }), "valid-record-search");
        using var test = adult.Test.Take(100);
        var report = new NeuralShield.Audit.Auditor(new NeuralShield.Audit.AuditOptions { Entries = entries, Schema = schema })
            .Run([new NeuralShield.Audit.AuditTarget("sdca.zip", target)], adult.Train, test);
        var record = Assert.Single(report.Results);
        Assert.Null(record.Skipped);
        Assert.Null(record.Error);
        Assert.True(record.Evasion!.Value.SuccessRate > 0.5, $"{record.Evasion.Value.SuccessRate}");
        // The search proposes valid records only: judged on valid records, nothing is lost.
        Assert.Equal(record.Evasion.Value.SuccessRate, record.Tabular!.ConstrainedSuccessRate, 1e-12);
        Assert.All(record.Tabular.Examples, e => Assert.All(e.Changes, c => Assert.NotEqual("age", c.Column)));
        Assert.True(target.QueryCount > test.Count);
    }

    [Fact]
    public void A_regression_model_is_not_a_classifier()
    {
        var ml = new MLContext(seed: 1);
        using var digits = Datasets.Digits();
        using var dir = new TempDir();
        var path = dir.File("regression.zip");
        MLNetModels.TrainAndSave(ml, ml.Regression.Trainers.Sdca(maximumNumberOfIterations: 2), MLNetModels.Multiclass(ml, digits), path);
        var e = Assert.Throws<InvalidDataException>(() => new MLNetClassifier(path));
        Assert.Contains("not a binary or multiclass classifier", e.Message);
    }

    [Fact]
    public void Wrong_widths_and_columns_are_refused_naming_the_argument()
    {
        var ml = new MLContext(seed: 1);
        using var dir = new TempDir();
        var path = dir.File("sdca.zip");
        MLNetModels.TrainAndSave(ml, ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 5), MLNetModels.Binary(ml, adult.Test), path);
        var target = new MLNetClassifier(path, new MLNetClassifierOptions { Bounds = adult.Bounds });
        using var narrow = zeros(3, 5);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => target.PredictProbabilities(narrow)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new MLNetClassifier(path, new MLNetClassifierOptions { FeatureColumnName = "Pixels" }));
        Assert.Equal("options", e.ParamName);
        Assert.Contains("'Features'", e.Message);
        Assert.Throws<ArgumentException>(() => new MLNetClassifier(path, new MLNetClassifierOptions { Bounds = adult.Bounds, ClassCount = 3 }));
    }
}
