using NeuralShield.Attacks.Inference;
using NeuralShield.Data;
using NeuralShield.Models;
using NeuralShield.Training;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Inference;

/// <summary>
/// Shokri et al.'s attack on a tiny fixed setting, against an independent computation: the attack model's training rows
/// built by hand from the shadows' in and out records (sorted logit-scaled probabilities and the true class's), standardised,
/// and logistic regression fitted by plain full-batch gradient descent in double precision from the same initial weights.
/// </summary>
public sealed class ShokriIndependentTests
{
    private static double Logit(double[] p, int j) =>
        Math.Log(Math.Max(p[j], 1e-30)) - Math.Log(Math.Max(p.Where((_, k) => k != j).Sum(), 1e-30));

    private static double[] Row(double[] p, int y) =>
        [.. p.OrderDescending().Select((_, j) => Logit([.. p.OrderDescending()], j)), Logit(p, y)];

    private static double[][] Probabilities(IClassifier model, LabeledData data)
    {
        using var p = model.PredictProbabilities(data.Features).to_type(ScalarType.Float64);
        var flat = p.data<double>().ToArray();
        return Enumerable.Range(0, data.Count).Select(i => flat.Skip(i * model.ClassCount).Take(model.ClassCount).ToArray()).ToArray();
    }

    [Fact]
    public void ScoresEqualAHandWrittenLogisticRegressionOnTheShadowsRecords()
    {
        using var pool = TestModels.Blobs(80, 4, seed: 21);
        using var candidates = TestModels.Blobs(12, 4, seed: 22);
        var recipe = new ModelRecipe
        {
            Architecture = s => ModelZoo.Mlp(4, [8], 3, Activation.ReLU, s),
            Training = new TrainingOptions { Epochs = 5, BatchSize = 16, LearningRate = 1e-2, Seed = 1 },
            Seed = 1,
        };
        const double rate = 0.5;
        const int steps = 25;
        var options = new ShadowModelAttackOptions
        {
            Shadows = new ShadowTrainingOptions { Recipe = recipe, Count = 2, Sampling = ShadowSampling.Disjoint, Seed = 3 },
            AttackModel = AttackModelKind.LogisticRegression,
            PerClass = false,
            Features = AttackFeatures.SortedWithTrueClass,
            Scale = FeatureScale.Logit,
            AttackTraining = new TrainingOptions { Epochs = steps, BatchSize = 10_000, LearningRate = rate, Optimizer = OptimizerKind.Sgd, Momentum = 0, Seed = 4 },
            Seed = 7,
        };
        using var shadows = ShadowModelSet.Train(pool, options.Shadows);
        using var target = recipe.Train(pool.Take(40), seedOffset: 9);
        using var fitted = new ShadowModelAttack(options).Fit(target.Classifier, shadows);
        var scores = fitted.Infer(target.Classifier, candidates).Scores;

        // The attack model's training set: every shadow's in records (label 1) and out records (label 0).
        var rows = new List<double[]>();
        var labels = new List<int>();
        var poolLabels = pool.Labels.data<long>().ToArray();
        for (var k = 0; k < shadows.Count; k++)
        {
            var p = Probabilities(shadows.Classifiers[k], pool);
            foreach (var (role, label) in new[] { (ShadowRole.In, 1), (ShadowRole.Out, 0) })
                foreach (var i in shadows.Indices(k, role))
                {
                    rows.Add(Row(p[i], (int)poolLabels[i]));
                    labels.Add(label);
                }
        }
        var f = rows[0].Length;
        var mean = Enumerable.Range(0, f).Select(j => rows.Average(r => (double)(float)r[j])).ToArray();
        var std = Enumerable.Range(0, f).Select(j => Math.Sqrt(rows.Average(r => Math.Pow((float)r[j] - mean[j], 2)))).Select(s => s > 1e-6 ? s : 1).ToArray();
        double[] Standard(double[] r) => [.. r.Select((v, j) => ((float)v - (float)mean[j]) / (float)std[j])];
        var x = rows.Select(Standard).ToArray();

        // Logistic regression (two logits, softmax) from the library's initial weights for this seed, plain gradient descent on the mean loss.
        using var init = ModelZoo.SoftmaxRegression(f, 2, options.Seed);
        var w = init.parameters().First().to_type(ScalarType.Float64).data<double>().ToArray(); // [2, f]
        var b = init.parameters().Last().to_type(ScalarType.Float64).data<double>().ToArray();
        double[] Softmax(double[] r)
        {
            var z = new[] { b[0] + Enumerable.Range(0, f).Sum(j => w[j] * r[j]), b[1] + Enumerable.Range(0, f).Sum(j => w[f + j] * r[j]) };
            var m = z.Max();
            var e = z.Select(v => Math.Exp(v - m)).ToArray();
            return [e[0] / e.Sum(), e[1] / e.Sum()];
        }
        for (var step = 0; step < steps; step++)
        {
            var gw = new double[2 * f];
            var gb = new double[2];
            for (var i = 0; i < x.Length; i++)
            {
                var p = Softmax(x[i]);
                for (var c = 0; c < 2; c++)
                {
                    var d = (p[c] - (labels[i] == c ? 1 : 0)) / x.Length;
                    gb[c] += d;
                    for (var j = 0; j < f; j++) gw[c * f + j] += d * x[i][j];
                }
            }
            for (var j = 0; j < w.Length; j++) w[j] -= rate * gw[j];
            for (var c = 0; c < 2; c++) b[c] -= rate * gb[c];
        }

        var candidateLabels = candidates.Labels.data<long>().ToArray();
        var targetP = Probabilities(target.Classifier, candidates);
        var expected = Enumerable.Range(0, candidates.Count).Select(i => Softmax(Standard(Row(targetP[i], (int)candidateLabels[i])))[1]).ToArray();
        Assert.Equal(expected.Length, scores.Count);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], scores[i], 1e-4); // float32 training against double
        Assert.True(expected.Max() - expected.Min() > 1e-3, "the scores should differ between candidates");
    }
}
