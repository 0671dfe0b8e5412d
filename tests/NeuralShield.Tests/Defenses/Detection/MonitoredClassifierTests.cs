using NeuralShield.Attacks;
using NeuralShield.Data;
using NeuralShield.Defenses;
using NeuralShield.Defenses.Detection;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Detection;

/// <summary>Flags every query whose first feature is above 0.5; counts the queries it inspected.</summary>
internal sealed class FirstFeatureDetector : IQueryDetector
{
    public long Inspected { get; private set; }

    public DefenseDescriptor Descriptor => new("first feature", DefenseKind.Detection, null, [AttackFamily.Evasion]);

    public QueryVerdict Inspect(Tensor queries)
    {
        Inspected += queries.shape[0];
        using var flat = queries.flatten(1);
        using var first = flat.select(1, 0);
        return new QueryVerdict(first.gt(0.5), "first feature above 0.5");
    }
}

/// <summary>
/// <see cref="MonitoredClassifier"/> shows each batch to its detector: with <see cref="DetectionResponse.Record"/> it
/// counts the flagged queries and answers as the inner model; with <see cref="DetectionResponse.Reject"/> it refuses the
/// batch before the inner model sees it.
/// </summary>
public sealed class MonitoredClassifierTests : IDisposable
{
    private readonly LabeledData data = TestModels.Blobs(30, 4, seed: 21);
    private readonly TorchClassifier model;

    public MonitoredClassifierTests() => model = TestModels.TrainedMlp(data, seed: 21);

    public void Dispose()
    {
        model.Dispose();
        data.Dispose();
    }

    /// <summary>Queries [n, 4] whose first features are <paramref name="first"/> and the rest 0.3.</summary>
    private static Tensor Queries(params float[] first)
    {
        using var column = tensor(first).unsqueeze(1);
        using var rest = full(first.Length, 3, 0.3f);
        return cat([column, rest], 1);
    }

    [Fact]
    public void RecordCountsFlaggedQueriesAndAnswersAsTheInnerModel()
    {
        var detector = new FirstFeatureDetector();
        var monitored = new MonitoredClassifier(model, detector);
        Assert.Equal(DetectionResponse.Record, monitored.Response);

        using var x = Queries(0.1f, 0.9f, 0.5f, 0.51f, 0.0f); // 0.9 and 0.51 are flagged; 0.5 is not (strictly above)
        using var answered = monitored.PredictProbabilities(x);
        using var direct = model.PredictProbabilities(x);
        Assert.True(TensorAssert.Same(direct, answered));
        Assert.Equal(2, monitored.FlaggedQueries);
        Assert.Equal(5, detector.Inspected);

        using var y = Queries(0.7f, 0.2f, 1.0f);
        using var again = monitored.PredictProbabilities(y);
        Assert.Equal(4, monitored.FlaggedQueries);

        using var clean = Queries(0.2f, 0.3f);
        using var cleanAnswer = monitored.PredictProbabilities(clean);
        Assert.Equal(4, monitored.FlaggedQueries);
        Assert.Equal(model.QueryCount, monitored.QueryCount);
    }

    [Fact]
    public void RejectThrowsWithTheFlaggedCountAndDoesNotReachTheInnerModel()
    {
        var monitored = new MonitoredClassifier(model, new FirstFeatureDetector(), DetectionResponse.Reject);
        var before = model.QueryCount;
        using var x = Queries(0.9f, 0.1f, 0.6f, 0.95f);
        var e = Assert.Throws<QueryRejectedException>(() => monitored.PredictProbabilities(x));
        Assert.Equal(3, e.Flagged);
        Assert.Contains("first feature", e.Message);
        Assert.Equal(before, model.QueryCount);
        Assert.Equal(3, monitored.FlaggedQueries);

        // A clean batch is answered, by the inner model.
        using var clean = Queries(0.1f, 0.2f);
        using var answered = monitored.PredictProbabilities(clean);
        Assert.Equal(before + 2, model.QueryCount);
        using var direct = model.PredictProbabilities(clean);
        Assert.True(TensorAssert.Same(direct, answered));
        Assert.Equal(3, monitored.FlaggedQueries);
    }

    [Fact]
    public void AnAttackMeetsTheDetectorThroughPredict()
    {
        var monitored = new MonitoredClassifier(model, new FirstFeatureDetector(), DetectionResponse.Reject);
        using var x = Queries(0.1f, 0.8f);
        Assert.Throws<QueryRejectedException>(() => monitored.Predict(x));
    }
}
