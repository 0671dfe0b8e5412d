using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Models;
using NeuralShield.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// Whole JSMA runs (several iterations) against a naive implementation of Papernot et al.'s Algorithms 1–3 written
/// here, one sample at a time: the full Jacobian of F (softmax or logits) class by class, one backward per class;
/// α and β from its rows; every pair p &lt; q of the search domain scored in row-major order with the paper's rule;
/// both features set to the bound; stop on the target, on the ⌊nγ/2⌋ budget or when no pair is admissible.
/// </summary>
public class JsmaReferenceTests(ITestOutputHelper output)
{
    private const int Features = 20;
    private const int Classes = 4;
    private const int Samples = 10;

    private static TorchClassifier Model(int seed) =>
        new(ModelZoo.Mlp(Features, [16], Classes, Activation.Tanh, seed), Classes, InputBounds.Unit, ownsModule: true);

    /// <summary>
    /// Inputs [Samples, 12]: interior values in [0.1, 0.9] (continuous, so no two pair scores tie) with two features
    /// at each bound per sample; targets are the least likely class (even samples, so that several iterations run) or another class (odd samples).
    /// </summary>
    private static (float[][] Inputs, long[] Targets) Case(TorchClassifier model, int seed)
    {
        var random = new Random(seed);
        var inputs = new float[Samples][];
        for (var s = 0; s < Samples; s++)
        {
            var x = Enumerable.Range(0, Features).Select(_ => (float)(0.1 + 0.8 * random.NextDouble())).ToArray();
            var order = Enumerable.Range(0, Features).OrderBy(_ => random.Next()).ToArray();
            x[order[0]] = 0f;
            x[order[1]] = 0f;
            x[order[2]] = 1f;
            x[order[3]] = 1f;
            inputs[s] = x;
        }
        var targets = new long[Samples];
        for (var s = 0; s < Samples; s++)
        {
            var z = NaiveLogits(model.Module, inputs[s]);
            var predicted = Array.IndexOf(z, z.Max());
            // Even samples: the least likely class; odd samples: a random other class (often reached).
            targets[s] = s % 2 == 0 ? Array.IndexOf(z, z.Min()) : (predicted + 1 + random.Next(Classes - 1)) % Classes;
        }
        return (inputs, targets);
    }

    private static float[] NaiveLogits(nn.Module<Tensor, Tensor> module, float[] x)
    {
        using var _ = no_grad();
        using var input = tensor(x).reshape(1, Features);
        using var logits = module.forward(input);
        return logits.data<float>().ToArray();
    }

    /// <summary>J[c][i] = ∂F_c/∂x_i at x, with F the softmax (written out) or the logits; one backward per class c.</summary>
    private static double[][] NaiveJacobian(nn.Module<Tensor, Tensor> module, float[] x, bool softmax)
    {
        var jacobian = new double[Classes][];
        for (var c = 0; c < Classes; c++)
        {
            using var scope = NewDisposeScope();
            using var enable = enable_grad();
            var leaf = tensor(x).requires_grad_(true);
            var z = module.forward(leaf.reshape(1, Features)).reshape(Classes);
            Tensor f;
            if (softmax)
            {
                var e = (z - z.max().detach()).exp();
                f = e / e.sum();
            }
            else
            {
                f = z;
            }
            f[c].backward();
            jacobian[c] = leaf.grad!.to_type(ScalarType.Float64).data<double>().ToArray();
        }
        return jacobian;
    }

    /// <summary>A naive JSMA run on one sample; returns the adversarial and the number of pair iterations it ran.</summary>
    private static (float[] Adversarial, int Iterations, bool Reached) NaiveJsma(nn.Module<Tensor, Tensor> module, float[] input, long target,
        bool increase, bool softmax, double gamma)
    {
        var x = (float[])input.Clone();
        var theta = increase ? 1.0 : -1.0;
        var bound = increase ? 1f : 0f;
        var domain = x.Select(v => increase ? v < 1f : v > 0f).ToArray();
        var budget = (int)Math.Floor(Features * gamma / 2 + 1e-9);
        var iterations = 0;
        while (true)
        {
            var z = NaiveLogits(module, x);
            if (Array.IndexOf(z, z.Max()) == target) return (x, iterations, true);
            if (iterations == budget) return (x, iterations, false);
            var jacobian = NaiveJacobian(module, x, softmax);
            var alpha = jacobian[target];
            var beta = new double[Features];
            for (var j = 0; j < Classes; j++)
            {
                if (j == target) continue;
                for (var i = 0; i < Features; i++) beta[i] += jacobian[j][i];
            }
            var best = 0.0;
            (int P, int Q)? chosen = null;
            for (var p = 0; p < Features; p++)
            for (var q = p + 1; q < Features; q++)
            {
                if (!domain[p] || !domain[q]) continue;
                var a = alpha[p] + alpha[q];
                var b = beta[p] + beta[q];
                if (!(theta * a > 0 && theta * b < 0)) continue;
                var score = -a * b;
                if (score > best)
                {
                    best = score;
                    chosen = (p, q);
                }
            }
            if (chosen is not { } pair) return (x, iterations, false);
            x[pair.P] = bound;
            x[pair.Q] = bound;
            domain[pair.P] = false;
            domain[pair.Q] = false;
            iterations++;
        }
    }

    public static TheoryData<bool, bool, double, int> Settings() => new()
    {
        // (F = softmax, θ = +1, γ, model seed)
        { true, true, 1.0, 3 },
        { false, true, 1.0, 3 },
        { true, false, 1.0, 4 },
        { false, false, 1.0, 4 },
        { true, true, 0.35, 5 },   // budget ⌊12·0.35/2⌋ = 2 iterations
        { false, false, 0.35, 5 },
        { true, true, 0.7, 6 },    // budget 4
        { false, true, 0.7, 6 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void WholeRunsEqualTheNaivePairwiseJsma(bool softmax, bool increase, double gamma, int seed)
    {
        using var model = Model(seed);
        var (inputs, targets) = Case(model, seed);
        using var x = tensor(inputs.SelectMany(v => v).ToArray()).reshape(Samples, Features);
        using var t = tensor(targets);
        var options = new JsmaOptions
        {
            Gamma = gamma,
            Direction = increase ? JsmaDirection.Increase : JsmaDirection.Decrease,
            Output = softmax ? JsmaOutput.Probabilities : JsmaOutput.Logits,
        };
        using var result = new Jsma(options).Run(model, x, AttackGoal.Targeted(t));
        var actual = result.Adversarials.reshape(Samples, Features).data<float>().ToArray();

        var totalIterations = 0;
        var longest = 0;
        var reached = 0;
        var mismatches = new List<string>();
        for (var s = 0; s < Samples; s++)
        {
            var (expected, iterations, hit) = NaiveJsma(model.Module, inputs[s], targets[s], increase, softmax, gamma);
            totalIterations += iterations;
            longest = Math.Max(longest, iterations);
            if (hit) reached++;
            var row = actual.Skip(s * Features).Take(Features).ToArray();
            if (!row.SequenceEqual(expected))
            {
                mismatches.Add($"sample {s} (target {targets[s]}, naive ran {iterations} iterations):\n  library [{string.Join(", ", row)}]\n  naive   [{string.Join(", ", expected)}]\n  input   [{string.Join(", ", inputs[s])}]");
            }
        }
        output.WriteLine($"{Samples} samples, {totalIterations} naive iterations (longest {longest}), {reached} reached the target");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        // Not a trivial agreement: several full iterations ran.
        Assert.True(longest >= Math.Min(2, (int)Math.Floor(Features * gamma / 2)), $"the longest naive run had only {longest} iterations");
        Assert.True(totalIterations >= Samples, $"only {totalIterations} naive iterations in all");
    }
}
