using NeuralShield.Attacks.Inference;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Training;

/// <summary><see cref="DataReference"/> and the shards shadow models name with it.</summary>
public class DataReferenceTests
{
    [Fact]
    public void SelectMapsPositionsThroughTheReferencesIndices()
    {
        var pool = new DataReference("set", [10, 20, 30, 40]);
        Assert.Equal([40L, 10L], new DataReference("set", [10, 20, 30, 40]).Select([3, 0]).Indices!);
        Assert.Equal("set", pool.Select([1]).Dataset);
        Assert.Equal([2L, 5L], new DataReference("all").Select([2, 5]).Indices!);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Select([4]));
        Assert.Equal("positions", e.ParamName);
        Assert.Throws<ArgumentNullException>(() => pool.Select(null!));
    }

    [Fact]
    public void EachShadowJobNamesItsTrainingRowsInThePoolSource()
    {
        using var features = rand(40, 3);
        using var labels = tensor(Enumerable.Range(0, 40).Select(i => (long)(i % 2)).ToArray());
        using var pool = new LabeledData(features, labels, 2);
        var rows = Enumerable.Range(0, 40).Select(i => 1000L + 3 * i).ToArray();
        var service = new CountingTrainingService();
        var options = new ShadowTrainingOptions
        {
            Recipe = new ModelRecipe { Architecture = ZooArchitecture.Mlp(3, [4], 2).Create, Training = new TrainingOptions { Epochs = 1, BatchSize = 8 } },
            Count = 4,
            TrainingService = service,
            PoolSource = new DataReference("pool-file", rows),
        };
        using var shadows = ShadowModelSet.Train(pool, options);

        Assert.Equal(4, service.Sources.Count);
        for (var k = 0; k < 4; k++)
        {
            var source = Assert.IsType<DataReference>(service.Sources[k]);
            Assert.Equal("pool-file", source.Dataset);
            Assert.Equal(shadows.Indices(k, ShadowRole.In).Select(i => rows[i]), source.Indices!);
        }
    }

    [Fact]
    public void WithoutAPoolSourceJobsCarryNone()
    {
        using var pool = new LabeledData(rand(16, 3), tensor(Enumerable.Range(0, 16).Select(i => (long)(i % 2)).ToArray()), 2);
        var service = new CountingTrainingService();
        var options = new ShadowTrainingOptions
        {
            Recipe = new ModelRecipe { Architecture = ZooArchitecture.Mlp(3, [4], 2).Create, Training = new TrainingOptions { Epochs = 1, BatchSize = 8 } },
            Count = 2,
            TrainingService = service,
        };
        using var _ = ShadowModelSet.Train(pool, options);
        Assert.All(service.Sources, Assert.Null);
        options.PoolSource = new DataReference(" ");
        Assert.Equal("PoolSource", Assert.Throws<ArgumentException>(() => ShadowModelSet.Train(pool, options)).ParamName);
    }
}

/// <summary>Property inference's shadow jobs name their sampled records through the pool's <see cref="DataReference"/>.</summary>
public class PropertyInferenceSourceTests
{
    [Fact]
    public void EachShadowJobNamesItsSampledRows()
    {
        using var pool = TestModels.Blobs(400, 6, seed: 4);
        using var flags = pool.Features[.., 0].gt(0.5);
        var knowledge = new PropertyKnowledge(pool, flags);
        var rows = Enumerable.Range(0, 400).Select(i => 5000L + i).ToArray();
        var service = new CountingTrainingService();
        var options = new PropertyInferenceOptions
        {
            Recipe = new ModelRecipe { Architecture = ZooArchitecture.Mlp(6, [8], 3).Create, Training = new TrainingOptions { Epochs = 1, BatchSize = 50 } },
            ShadowModelsPerSide = 2, ShadowTrainingSize = 60, MetaIterations = 5, Seed = 1,
            TrainingService = service,
            PoolSource = new DataReference("blobs", rows),
        };
        using var target = options.Recipe.Train(pool);
        using var _ = new PropertyInference(options).Fit(target.Classifier, knowledge);

        Assert.Equal(4, service.Sources.Count);
        for (var k = 0; k < 4; k++)
        {
            var share = k % 2 == 0 ? options.PropertyShare : options.ComplementShare;
            var expected = PropertyInference.SampleIndicesWithShare(knowledge, 60, share, 1 * 7919 + k).Select(i => rows[i]);
            Assert.Equal(expected, Assert.IsType<DataReference>(service.Sources[k]).Indices!);
        }
    }
}
