using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Data;
using NeuralShield.Defenses.Training;
using NeuralShield.Models;
using NeuralShield.Training;

namespace NeuralShield.Tests.Attacks.Extraction;

public class TransferEvaluationTests
{
    private static Func<long, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>> Mlp => s => ModelZoo.Mlp(64, [32], 10, Activation.ReLU, s);

    [Fact]
    public void DistillationRaisesTheGradientMaskingFlag()
    {
        using var all = Datasets.Digits();
        using var shuffled = all.Shuffle(7);
        using var train = shuffled.Slice(0, 1200);
        using var test = shuffled.Slice(1200, shuffled.Count - 1200);
        TrainingOptions Options() => new() { Epochs = 15, BatchSize = 64, LearningRate = 1e-2, Seed = 1 };
        using var plain = new ModelRecipe { Architecture = Mlp, Training = Options(), Seed = 5 }.Train(train);
        using var distilled = new DefensiveDistillation(new DefensiveDistillationOptions
        {
            Temperature = 100, Recipe = new ModelRecipe { Architecture = Mlp, Training = Options(), Seed = 6 },
        }).Fit(train);

        var matrix = TransferEvaluation.Evaluate(
            [new TransferModel("plain", plain.Classifier), new TransferModel("distilled", distilled.Classifier)], null, test,
            new TransferEvaluationOptions { Attack = new Fgsm(new FgsmOptions { Epsilon = 0.3 }), Samples = 200 });

        Assert.Equal(["plain", "distilled"], matrix.Rows);
        Assert.Equal(["plain", "distilled"], matrix.Columns);
        Assert.Equal(200, matrix.Samples);
        var shown = string.Join("; ", matrix.Rows.Select(r => r + ": " + string.Join(", ", matrix.Columns.Select(c => $"{matrix[r, c]:P1}"))));
        // White-box FGSM on the distilled model meets a saturated softmax (zero gradient for most samples) and mostly fails; FGSM crafted on the
        // plain model transfers.
        Assert.True(matrix["plain", "plain"] > 0.9, shown);
        Assert.True(matrix["distilled", "distilled"] < 0.5, shown);
        Assert.True(matrix["plain", "distilled"] > matrix["distilled", "distilled"] + 0.3, shown);
        Assert.True(matrix.IsFlagged("distilled"));
        Assert.False(matrix.IsFlagged("plain"));
        var flag = matrix.MaskingFlags[1];
        Assert.Equal("plain", flag.BestOtherSource);
        Assert.Equal(4, matrix.Flatten().Count);
        Assert.Equal(matrix["plain", "distilled"], matrix.Flatten()["matrix.plain.distilled"]);
    }

    [Fact]
    public void SubstitutesAddRowsAndBlackBoxModelsOnlyColumns()
    {
        using var data = TestModels.Blobs(120, 6, seed: 2);
        using var a = TestModels.TrainedMlp(data, seed: 1);
        using var b = TestModels.TrainedMlp(data, seed: 2);
        var blackBox = new CountingOracle(b);
        var matrix = TransferEvaluation.Evaluate([new TransferModel("a", a), new TransferModel("b (black box)", blackBox)],
            [new TransferSource("substitute", b)], data, new TransferEvaluationOptions { Attack = new Fgsm(new FgsmOptions { Epsilon = 0.2 }), Samples = 50 });
        Assert.Equal(["a", "substitute"], matrix.Rows);
        Assert.Equal(["a", "b (black box)"], matrix.Columns);
        Assert.True(double.IsNaN(matrix.MaskingFlags[1].WhiteBoxSuccess));
        Assert.False(matrix.MaskingFlags[1].Flagged);
        Assert.Throws<KeyNotFoundException>(() => matrix["b (black box)", "a"]);
    }

    [Fact]
    public void DuplicateNamesAreRefused()
    {
        using var data = TestModels.Blobs(30, 4, seed: 1);
        using var a = TestModels.TrainedMlp(data, seed: 1);
        Assert.Throws<ArgumentException>(() => TransferEvaluation.Evaluate([new TransferModel("a", a)], [new TransferSource("a", a)], data,
            new TransferEvaluationOptions { Attack = new Fgsm() }));
    }
}
