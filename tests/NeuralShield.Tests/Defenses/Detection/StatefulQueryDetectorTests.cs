using FsCheck.Xunit;
using NeuralShield.Data;
using NeuralShield.Defenses.Detection;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Detection;

public class StatefulQueryDetectorTests
{
    private static StatefulQueryDetector Detector(double threshold, int k = 5, int memory = 20, bool clear = true, int minimum = 1) =>
        new(new StatefulQueryDetectorOptions { Neighbours = k, MemorySize = memory, Threshold = threshold, ClearOnDetection = clear, MinimumNeighbours = minimum });

    private static Tensor Uniform(int n, int d, long seed)
    {
        using var g = new Generator((ulong)seed);
        return rand([n, d], generator: g);
    }

    [Property(MaxTest = 40)]
    public bool MemoryNeverExceedsItsBound(byte capacity, byte[] batches, bool clear)
    {
        var memory = 1 + capacity % 30;
        var detector = Detector(threshold: clear ? 0.9 : 1e-9, k: Math.Min(3, memory), memory: memory, clear: clear);
        long total = 0;
        var seed = 0;
        foreach (var b in batches.Take(12))
        {
            var n = 1 + b % 17;
            using var q = Uniform(n, 3, seed++);
            using var verdict = detector.Inspect(q);
            total += n;
            var count = detector.MemoryCount(StatefulQueryDetector.DefaultClient);
            if (count > memory) return false;
            if (!clear && count != Math.Min(total, memory)) return false;
        }
        return true;
    }

    [Property(MaxTest = 25)]
    public bool ABatchGivesTheFlagsOfItsQueriesSentOneByOne(int seed, bool clear)
    {
        using var g = new Generator((ulong)(uint)seed);
        // A stream that mixes isolated points and tight clusters, so that both outcomes occur.
        using var centres = rand([6, 4], generator: g);
        using var pick = randint(0, 6, [40], generator: g);
        using var noise = randn([40, 4], generator: g) * 0.02;
        using var spread = rand([40, 1], generator: g).lt(0.5).to_type(ScalarType.Float32);
        using var far = rand([40, 4], generator: g) * 3;
        using var stream = centres.index_select(0, pick) + noise + spread * far;
        var batched = Detector(0.2, k: 3, memory: 12, clear: clear);
        var single = Detector(0.2, k: 3, memory: 12, clear: clear);
        using var whole = batched.Inspect(stream.narrow(0, 0, 25));
        using var rest = batched.Inspect(stream.narrow(0, 25, 15));
        using var all = cat([whole.Flagged, rest.Flagged], 0);
        var one = new List<bool>();
        for (var i = 0; i < 40; i++)
        {
            using var v = single.Inspect(stream.narrow(0, i, 1));
            one.Add(v.Flagged[0].item<bool>());
        }
        return all.data<bool>().ToArray().SequenceEqual(one) && batched.MemoryCount("") == single.MemoryCount("");
    }

    [Property(MaxTest = 20)]
    public bool OneQueryAtATimeAgreesWithANaiveDistanceComputationAsTheRingWraps(byte capacity, byte neighbours, int seed)
    {
        var memory = 2 + capacity % 15;
        var k = 1 + neighbours % memory;
        var detector = Detector(1e-9, k: k, memory: memory, clear: false);
        using var unit = Uniform(3 * memory + 5, 6, seed);
        using var stream = unit * 3; // wraps the ring more than twice
        for (var i = 0; i < stream.shape[0]; i++)
        {
            using var scope = NewDisposeScope();
            var query = stream.narrow(0, i, 1);
            if (i > 0)
            {
                // The newest `memory` queries so far, with the plain cdist and a full sort.
                var from = Math.Max(0, i - memory);
                var stored = stream.narrow(0, from, i - from);
                var used = Math.Min(k, i - from);
                var expected = cdist(query, stored).sort(1).Values.narrow(1, 0, used).mean([1]).item<float>();
                var actual = detector.Score("", query).item<float>();
                if (Math.Abs(expected - actual) > 1e-4f * Math.Max(1f, expected)) return false;
            }
            using (detector.Inspect(query)) { }
            if (detector.MemoryCount("") != Math.Min(i + 1, memory)) return false;
        }
        return true;
    }

    [Fact]
    public void ScoresAreTheMeanDistanceToTheKNearestStoredQueries()
    {
        var detector = Detector(1e-9, k: 4, memory: 10, clear: false);
        using var history = Uniform(13, 5, 1); // 13 > 10: the three oldest are dropped
        using (detector.Inspect(history)) { }
        using var stored = history.narrow(0, 3, 10);
        for (var i = 0; i < 3; i++)
        {
            using var probe = Uniform(1, 5, 2 + i);
            using var scores = detector.Score("", probe);
            using var d = cdist(probe, stored);
            using var nearest = d.sort(1).Values.narrow(1, 0, 4).mean([1]);
            Assert.True(allclose(scores, nearest, rtol: 1e-5, atol: 1e-5));
        }
        // Inside a batch, a query also sees the earlier ones, as a one-by-one stream would: the second of two identical
        // probes sees the first (distance 0) and the newest nine stored queries (the memory holds ten).
        using var same = Uniform(1, 5, 9).repeat(2, 1);
        using var pair = detector.Score("", same);
        using var newest = history.narrow(0, 4, 9);
        using var dd = cdist(same.narrow(0, 0, 1), newest).sort(1).Values.narrow(1, 0, 3).sum();
        Assert.Equal(dd.item<float>() / 4, pair[1].item<float>(), 4);
    }

    [Fact]
    public void RepeatedNearbyQueriesAreFlaggedAndIsolatedOnesAreNot()
    {
        var detector = Detector(0.5, k: 5, memory: 50);
        using var benign = Uniform(30, 16, 3) * 4; // pairwise distances around 6
        using var verdict = detector.Inspect(benign);
        Assert.Equal(0, verdict.Flagged.sum().item<long>());
        Assert.Null(verdict.Reason);

        using var start = Uniform(1, 16, 4);
        using var walk = start.repeat(10, 1) + Uniform(10, 16, 5) * 0.01;
        using var attack = detector.Inspect(walk);
        // The score is the mean over K = 5 neighbours: the walk is flagged once five of its own queries are stored.
        using var first = attack.Flagged.nonzero();
        Assert.Equal(5, first[0, 0].item<long>());
        Assert.NotNull(attack.Reason);
        Assert.True(detector.Detections > 0);
    }

    [Fact]
    public void ClientsHaveSeparateMemories()
    {
        var detector = Detector(0.5, k: 1, memory: 10);
        using var q = Uniform(1, 8, 1);
        using (detector.Inspect("alice", q)) { }
        using var bob = detector.Inspect("bob", q);
        Assert.False(bob.Flagged[0].item<bool>());
        using var alice = detector.Inspect("alice", q);
        Assert.True(alice.Flagged[0].item<bool>());
        Assert.Equal(0, detector.MemoryCount("alice")); // cleared after the detection
        Assert.Equal(1, detector.MemoryCount("bob"));
    }

    [Fact]
    public void ConcurrentQueriesOfOneClientAreAllRemembered()
    {
        var detector = Detector(1e-9, k: 3, memory: 500, clear: false);
        Parallel.For(0, 8, i =>
        {
            for (var j = 0; j < 10; j++)
            {
                using var q = Uniform(3, 6, i * 100 + j);
                using var v = detector.Inspect("c", q);
            }
        });
        Assert.Equal(240, detector.MemoryCount("c"));
    }

    [Fact]
    public void CalibrationMeetsTheTargetFalsePositiveRateOnHeldOutBenignQueries()
    {
        using var digits = Datasets.Digits();
        using var flat = digits.Features.reshape(digits.Count, -1);
        using var calibration = flat.narrow(0, 0, 1000);
        using var heldOut = flat.narrow(0, 1000, 797);
        var cal = StatefulQueryDetector.Calibrate(calibration, 0.01, neighbours: 10, memorySize: 500);
        Assert.True(cal.Threshold > 0 && cal.Threshold < cal.MedianScore);
        var detector = new StatefulQueryDetector(new StatefulQueryDetectorOptions { Neighbours = 10, MemorySize = 500, Threshold = cal.Threshold });
        using var verdict = detector.Inspect(heldOut);
        var rate = verdict.Flagged.to_type(ScalarType.Float64).mean().item<double>();
        Assert.True(rate <= 0.03, $"false-positive rate {rate:P2} at a 1% target");
    }

    [Fact]
    public void MonitoredClassifierRefusesAFlaggedBatch()
    {
        using var data = TestModels.Blobs(20, 4, seed: 1);
        using var model = TestModels.TrainedMlp(data, seed: 1);
        var detector = Detector(0.5, k: 1, memory: 10);
        var monitored = new MonitoredClassifier(model, detector.ForClient("mallory"), DetectionResponse.Reject);
        using var x = data.Features.narrow(0, 0, 1);
        using (monitored.PredictProbabilities(x)) { }
        var e = Assert.Throws<QueryRejectedException>(() => monitored.PredictProbabilities(x));
        Assert.Contains("mallory", e.Message);
        Assert.Equal(1, monitored.FlaggedQueries);
    }

    [Fact]
    public void AnEncoderReplacesTheRawInputs()
    {
        var detector = new StatefulQueryDetector(new StatefulQueryDetectorOptions
        {
            Neighbours = 2, MemorySize = 10, Threshold = 0.1, Encoder = x => x.reshape(x.shape[0], -1).mean([1], keepdim: true),
        });
        using var a = Uniform(1, 10, 1);
        using var b = a.flip(1); // far from a in pixels, the same mean
        using (detector.Inspect(a)) { }
        using var v = detector.Inspect(b);
        Assert.True(v.Flagged[0].item<bool>());
    }

    [Fact]
    public void AThresholdMustBeSet() =>
        Assert.Throws<ArgumentException>(() => new StatefulQueryDetector(new StatefulQueryDetectorOptions()));
}
