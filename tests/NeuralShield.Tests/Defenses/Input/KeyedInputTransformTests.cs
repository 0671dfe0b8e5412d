using FsCheck.Xunit;
using NeuralShield.Attacks.Core;
using NeuralShield.Data;
using NeuralShield.Defenses.Input;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Input;

public class KeyedInputTransformTests
{
    private static Tensor Binary(long[] shape, long seed)
    {
        using var g = new Generator((ulong)seed);
        return rand(shape, generator: g).lt(0.4).to_type(ScalarType.Float32);
    }

    [Property(MaxTest = 40)]
    public bool IsABijectionOnBinarisedInputsForAFixedKey(int key, bool permute, bool xor, byte side)
    {
        if (!permute && !xor) xor = true;
        long[] shape = [1, 2 + side % 6, 3];
        using var transform = new KeyedInputTransform(shape, new KeyedInputTransformOptions { KeySeed = key, Permute = permute, Xor = xor });
        using var x = Binary([5, .. shape], key);
        using var y = transform.Transform(x);
        using var back = transform.Invert(y);
        using var again = transform.Transform(back);
        // inverse ∘ apply = identity, and apply is injective: distinct inputs stay distinct.
        using var other = 1 - x;
        using var yOther = transform.Transform(other);
        return TensorAssert.Same(back, x) && TensorAssert.Same(again, y) && !TensorAssert.Same(yOther, y);
    }

    [Property(MaxTest = 20)]
    public bool APermutationIsInvertibleOnAnyInput(int key)
    {
        using var transform = new KeyedInputTransform([2, 4], new KeyedInputTransformOptions { KeySeed = key });
        using var g = new Generator((ulong)(uint)key);
        using var x = rand([3, 2, 4], generator: g);
        using var back = transform.Invert(transform.Transform(x));
        using var sortedX = x.reshape(3, -1).sort(1).Values;
        using var y = transform.Transform(x);
        using var sortedY = y.reshape(3, -1).sort(1).Values;
        return TensorAssert.Same(back, x) && TensorAssert.Same(sortedX, sortedY);
    }

    [Fact]
    public void TheKeySeedDeterminesTheTransform()
    {
        var options = new KeyedInputTransformOptions { KeySeed = 3, Xor = true };
        using var a = new KeyedInputTransform([16], options);
        using var b = new KeyedInputTransform([16], options);
        using var c = new KeyedInputTransform([16], new KeyedInputTransformOptions { KeySeed = 4, Xor = true });
        using var x = Binary([4, 16], 1);
        using var ya = a.Transform(x);
        using var yb = b.Transform(x);
        using var yc = c.Transform(x);
        Assert.True(TensorAssert.Same(ya, yb));
        Assert.False(TensorAssert.Same(ya, yc));
    }

    [Fact]
    public void TheViewsGradientIsThePermutedOneOrTheStraightThroughSignFlip()
    {
        using var data = TestModels.Blobs(40, 6, seed: 1);
        using var model = TestModels.TrainedMlp(data, seed: 1);
        using var x = data.Features.narrow(0, 0, 4);
        AttackObjective objective = logits => logits[.., 0].sum();

        using var permutation = new KeyedInputTransform([6], new KeyedInputTransformOptions { KeySeed = 2 });
        var permuted = permutation.Apply((IDifferentiableClassifier)model);
        using var viaView = InputGradient.Of(permuted, x, objective);
        using var px = permutation.Transform(x);
        using var direct = InputGradient.Of(model, px, objective);
        using var back = permutation.Invert(direct.Gradient);
        Assert.True(allclose(viaView.Gradient, back, rtol: 1e-5, atol: 1e-6));

        using var xor = new KeyedInputTransform([6], new KeyedInputTransformOptions { KeySeed = 2, Permute = false, Xor = true });
        var xored = xor.Apply((IDifferentiableClassifier)model);
        using var viaXor = InputGradient.Of(xored, x, objective);
        using var bx = xor.Transform(x);
        using var atBinary = InputGradient.Of(model, bx, objective);
        using var flips = xor.Transform(zeros(1, 6)) * -2 + 1; // (1 − 2k): XOR of zeros reveals the key bits k
        Assert.True(allclose(viaXor.Gradient, atBinary.Gradient * flips, rtol: 1e-5, atol: 1e-6));
        using var probabilities = xored.PredictProbabilities(x);
        using var expected = model.PredictProbabilities(bx);
        Assert.True(allclose(probabilities, expected));
    }

    [Fact]
    public void AModelTrainedBehindTheKeyLearnsTheTask()
    {
        using var all = Datasets.Digits();
        using var shuffled = all.Shuffle(2);
        using var train = shuffled.Slice(0, 1200);
        using var test = shuffled.Slice(1200, shuffled.Count - 1200);
        using var transform = new KeyedInputTransform(train.SampleShape, new KeyedInputTransformOptions { KeySeed = 9, Xor = true });
        var recipe = new ModelRecipe
        {
            Architecture = s => ModelZoo.Mlp(64, [32], 10, Activation.ReLU, s),
            Training = new TrainingOptions { Epochs = 15, BatchSize = 64, LearningRate = 1e-2 },
        };
        using var keyed = transform.Fit(recipe, train);
        var accuracy = ModelAccuracy.Of(keyed.Classifier, test);
        var wrongKey = ModelAccuracy.Of(keyed.Inner.Classifier, test);
        Assert.True(accuracy > 0.85, $"keyed accuracy {accuracy:P1}");
        Assert.True(wrongKey < accuracy - 0.3, $"without the key {wrongKey:P1}");
    }

    [Fact]
    public void AtLeastOneTransformIsRequired() =>
        Assert.Throws<ArgumentException>(() => new KeyedInputTransform([4], new KeyedInputTransformOptions { Permute = false }));
}
