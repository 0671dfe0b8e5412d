using NeuralShield.Attacks.Inference;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Inference;

/// <summary>The permutation-invariant parameter representation and the attack's contract.</summary>
public sealed class PropertyInferenceTests
{
    /// <summary>Permutes the neurons of both hidden layers of a 2-hidden-layer MLP in place (the function is unchanged).</summary>
    private static void PermuteHidden(nn.Module<Tensor, Tensor> mlp, long seed)
    {
        var p = mlp.parameters().ToList(); // w1 b1 w2 b2 w3 b3
        using var g = new Generator((ulong)seed);
        using var p1 = randperm(p[0].shape[0], generator: g);
        using var p2 = randperm(p[2].shape[0], generator: g);
        using var _ = no_grad();
        p[0].copy_(p[0].index_select(0, p1));
        p[1].copy_(p[1].index_select(0, p1));
        p[2].copy_(p[2].index_select(0, p2).index_select(1, p1));
        p[3].copy_(p[3].index_select(0, p2));
        p[4].copy_(p[4].index_select(1, p2));
    }

    [Fact]
    public void SortedRepresentationIsInvariantToPermutingHiddenNeurons()
    {
        using var data = TestModels.Blobs(300, 6, seed: 1);
        using var model = ModelZoo.Mlp(6, [8, 5], 3, Activation.ReLU, seed: 2);
        new Trainer(new TrainingOptions { Epochs = 5, BatchSize = 32, LearningRate = 1e-2 }).Fit(model, data);
        using var sortedBefore = PropertyInference.Represent(model, ParameterRepresentation.Sorted);
        using var flatBefore = PropertyInference.Represent(model, ParameterRepresentation.Flattened);
        using var outputsBefore = model.forward(data.Features).detach();

        PermuteHidden(model, seed: 3);

        using var sortedAfter = PropertyInference.Represent(model, ParameterRepresentation.Sorted);
        using var flatAfter = PropertyInference.Represent(model, ParameterRepresentation.Flattened);
        using var outputsAfter = model.forward(data.Features).detach();
        Assert.True(outputsAfter.allclose(outputsBefore, rtol: 1e-5, atol: 1e-6), "permuting hidden neurons must keep the function");
        Assert.True(sortedAfter.allclose(sortedBefore, rtol: 0, atol: 1e-6), "the sorted representation must not change");
        Assert.False(flatAfter.allclose(flatBefore), "the flattened weights do change");
        Assert.Equal(flatBefore.shape, sortedBefore.shape);
    }

    private static PropertyInferenceOptions Small(long seed = 0) => new()
    {
        Recipe = new ModelRecipe
        {
            Architecture = s => ModelZoo.Mlp(6, [8], 3, Activation.ReLU, s),
            Training = new TrainingOptions { Epochs = 2, BatchSize = 50, LearningRate = 1e-2 },
        },
        ShadowModelsPerSide = 4, ShadowTrainingSize = 100, MetaIterations = 50, Seed = seed,
    };

    [Fact]
    public void FitsAndAnswersAProbability()
    {
        using var pool = TestModels.Blobs(400, 6, seed: 4);
        using var flags = pool.Features[.., 0].gt(0.5);
        var knowledge = new PropertyKnowledge(pool, flags, "x0 > 0.5");
        var recipe = Small().Recipe;
        using var sample = PropertyInference.SampleWithShare(knowledge, 100, 0.8, 9);
        using var target = recipe.Train(sample, seedOffset: 99);
        using var fitted = new PropertyInference(Small()).Fit(target.Classifier, knowledge);
        Assert.Equal(6, fitted.TrainingShadows);
        Assert.Equal(2, fitted.HeldOutShadows);
        Assert.InRange(fitted.HeldOutAccuracy, 0, 1);
        var answer = fitted.Infer(target.Classifier);
        Assert.InRange(answer.Probability, 0, 1);
        Assert.Equal(answer.Probability >= 0.5, answer.HasProperty);
        Assert.True(fitted.Infer(target.Classifier, new PropertyQuery(Threshold: 1.01)).HasProperty is false);
    }

    [Fact]
    public void APlantedPropertyIsInferredWellAboveChanceOnTargetsItHasNotSeen()
    {
        // The planted property: 80% (with) or 20% (without) of a model's training records are of class 0, which moves
        // its last layer's weights and biases; chance is 0.5 on a balanced set of fresh targets.
        using var pool = TestModels.Blobs(1200, 6, seed: 11);
        using var flags = pool.Labels.eq(0);
        var knowledge = new PropertyKnowledge(pool, flags, "mostly class 0");
        var options = Small(seed: 5);
        options.ShadowModelsPerSide = 16;
        options.Recipe.Training.Epochs = 10;
        options.MetaIterations = 200;
        using var first = PropertyInference.SampleWithShare(knowledge, options.ShadowTrainingSize, 0.8, 999);
        using var architecture = options.Recipe.Train(first, seedOffset: 499); // Fit only checks its layer shapes
        using var fitted = new PropertyInference(options).Fit(architecture.Classifier, knowledge);
        var correct = 0;
        const int perSide = 6;
        for (var i = 0; i < 2 * perSide; i++)
        {
            var has = i % 2 == 0;
            using var sample = PropertyInference.SampleWithShare(knowledge, options.ShadowTrainingSize, has ? 0.8 : 0.2, 1000 + i);
            using var target = options.Recipe.Train(sample, seedOffset: 500 + i);
            if (fitted.Infer(target.Classifier).HasProperty == has) correct++;
        }
        Assert.True(correct >= 10, $"{correct} of {2 * perSide} fresh targets inferred right (chance: half)");
    }

    [Fact]
    public void SharesAreDrawnAsAsked()
    {
        using var pool = TestModels.Blobs(400, 6, seed: 5);
        using var flags = pool.Features[.., 0].gt(0.5);
        var knowledge = new PropertyKnowledge(pool, flags);
        using var sample = PropertyInference.SampleWithShare(knowledge, 50, 0.8, 1);
        using var share = sample.Features[.., 0].gt(0.5).to_type(ScalarType.Float32).mean();
        Assert.Equal(0.8, share.item<float>(), 5);
    }

    [Fact]
    public void BadInputsAreNamed()
    {
        using var pool = TestModels.Blobs(100, 6, seed: 6);
        using var none = zeros(100, ScalarType.Bool);
        Assert.Equal("hasAttribute", Assert.Throws<ArgumentException>(() => new PropertyKnowledge(pool, none)).ParamName);
        using var flags = pool.Features[.., 0].gt(0.5);
        var knowledge = new PropertyKnowledge(pool, flags);
        using var other = new TorchClassifier(ModelZoo.Mlp(6, [5], 3, Activation.ReLU, 0), 3, ownsModule: true);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => new PropertyInference(Small()).Fit(other, knowledge)).ParamName);
        var options = Small();
        options.ComplementShare = options.PropertyShare;
        Assert.Equal("ComplementShare", Assert.Throws<ArgumentOutOfRangeException>(() => new PropertyInference(options)).ParamName);
    }
}
