using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Attacks.Extraction;
using NeuralShield.Evaluation;
using NeuralShield.Models;
using NeuralShield.Training;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Evaluation;

/// <summary>The substitute-against-target evaluation against its parts computed one by one.</summary>
public sealed class ExtractionEvaluationTests
{
    [Fact]
    public void MatchesAccuracyAgreementAndTransferComputedSeparately()
    {
        using var train = TestModels.Blobs(120, 4, seed: 51);
        using var test = TestModels.Blobs(60, 4, seed: 52);
        using var target = TestModels.TrainedMlp(train, seed: 1);
        using var few = train.Take(30);
        using var substitute = TestModels.TrainedMlp(few, seed: 2);
        var fgsm = new Fgsm(new FgsmOptions { Epsilon = 0.3 });
        var outcome = ExtractionEvaluation.Evaluate(substitute, target, test, fgsm, batchSize: 16);

        Assert.Equal(ModelAccuracy.Of(substitute, test), outcome.SubstituteAccuracy, 12);
        using var s = substitute.Predict(test.Features);
        using var t = target.Predict(test.Features);
        var sp = s.data<long>().ToArray();
        var tp = t.data<long>().ToArray();
        Assert.Equal(sp.Zip(tp).Count(p => p.First == p.Second) / (double)test.Count, outcome.Agreement, 12);
        var transfer = TransferEvaluation.Transfer(fgsm, substitute, target, test.Features, test.Labels);
        Assert.Equal(transfer.SuccessRate, outcome.Transfer.SuccessRate, 12);

        // On the samples the target gets right: craft on the substitute, count the target's mistakes by hand.
        using var crafted = fgsm.Run(substitute, test.Features, AttackGoal.Untargeted(test.Labels));
        using var after = target.Predict(crafted.Adversarials);
        var y = test.Labels.data<long>().ToArray();
        var ap = after.data<long>().ToArray();
        var right = Enumerable.Range(0, test.Count).Where(i => tp[i] == y[i]).ToArray();
        Assert.Equal(right.Count(i => ap[i] != y[i]) / (double)right.Length, outcome.TransferOnCorrect, 12);
        using var twoClasses = new TorchClassifier(ModelZoo.Mlp(4, [8], 2, Activation.ReLU, 3), 2, ownsModule: true);
        Assert.Equal("substitute", Assert.Throws<ArgumentException>(() => ExtractionEvaluation.Evaluate(twoClasses, target, test, fgsm)).ParamName);
    }
}
