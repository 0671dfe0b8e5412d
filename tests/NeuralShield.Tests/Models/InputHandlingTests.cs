using NeuralShield.Attacks;
using NeuralShield.Attacks.Evasion;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Models;

/// <summary>Inputs and labels as users write them: other dtypes, NaN, ±Inf, default bounds.</summary>
public class InputHandlingTests
{
    // logits = W·x + b with W = [[1, 0], [0, 1], [-1, -1]], b = [0, 0, 1.2]
    private static readonly float[,] W = { { 1f, 0f }, { 0f, 1f }, { -1f, -1f } };
    private static readonly float[] B = [0f, 0f, 1.2f];

    // Values exactly representable in float16 and bfloat16, so every dtype sees the same numbers.
    private static readonly float[] Samples = [0.25f, 0.75f, 0.75f, 0.25f, 0.125f, 0.25f, 1f, 0.5f, 0f, 0f, 0.5f, 0.625f];

    private static TorchClassifier LinearModel()
    {
        var linear = nn.Linear(2, 3);
        using (no_grad())
        {
            linear.weight!.copy_(tensor(new[] { 1f, 0f, 0f, 1f, -1f, -1f }, [3, 2]));
            linear.bias!.copy_(tensor(B));
        }
        return new TorchClassifier(linear, 3, InputBounds.Unit, ownsModule: true);
    }

    /// <summary>The predictions of the linear model, computed by hand.</summary>
    private static long[] HandPredictions()
    {
        var n = Samples.Length / 2;
        var result = new long[n];
        for (var i = 0; i < n; i++)
        {
            var best = 0;
            var bestLogit = float.NegativeInfinity;
            for (var c = 0; c < 3; c++)
            {
                var logit = W[c, 0] * Samples[2 * i] + W[c, 1] * Samples[2 * i + 1] + B[c];
                if (logit > bestLogit) (best, bestLogit) = (c, logit);
            }
            result[i] = best;
        }
        return result;
    }

    public static TheoryData<ScalarType> FloatTypes => [ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64];

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void Every_float_dtype_gives_the_hand_computed_predictions(ScalarType type)
    {
        var expected = HandPredictions();
        Assert.Equal([1L, 0, 2, 0, 2, 1], expected); // the hand computation itself, spelled out
        using var model = LinearModel();
        using var x = tensor(Samples, [Samples.Length / 2, 2]).to_type(type);
        using var predicted = model.Predict(x);
        Assert.Equal(ScalarType.Int64, predicted.dtype);
        Assert.Equal(expected, predicted.data<long>().ToArray());
        using var chunked = model.Predict(x, batchSize: 4);
        Assert.Equal(expected, chunked.data<long>().ToArray());
        using var p = model.PredictProbabilities(x);
        Assert.Equal(ScalarType.Float32, p.dtype);
        using var p32 = model.PredictProbabilities(tensor(Samples, [Samples.Length / 2, 2]));
        Assert.True(p.allclose(p32, rtol: 0, atol: 0));
    }

    [Fact]
    public void Predict_refuses_NaN_and_Inf_inputs_naming_them()
    {
        using var model = LinearModel();
        using var nan = tensor(new[] { 0f, 0f, 0.5f, float.NaN }, [2, 2]);
        var e = Assert.Throws<ArgumentException>(() => model.Predict(nan));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("NaN", e.Message);
        Assert.Contains("sample 1", e.Message);
        using var inf = tensor(new[] { float.NegativeInfinity, 0f, 0.5f, 0f }, [2, 2]);
        e = Assert.Throws<ArgumentException>(() => model.Predict(inf));
        Assert.Contains("Inf", e.Message);
        Assert.Contains("sample 0", e.Message);
        using var ints = zeros(new long[] { 2, 2 }, dtype: ScalarType.Int32);
        Assert.Throws<ArgumentException>(() => model.Predict(ints));
    }

    [Fact]
    public void Default_bounds_are_refused_by_TorchClassifier()
    {
        using var linear = nn.Linear(2, 3);
        var e = Assert.Throws<ArgumentException>(() => new TorchClassifier(linear, 3, default(InputBounds)));
        Assert.Equal("bounds", e.ParamName);
        Assert.Contains("default(InputBounds)", e.Message);
        using var unit = new TorchClassifier(linear, 3);
        Assert.Equal(InputBounds.Unit, unit.Bounds);
    }

    [Fact]
    public void Rows_with_NaN_probabilities_get_no_prediction_and_never_count_as_success()
    {
        // Rows 1 and 3 come back NaN / +Inf; rows 0, 2 and 4 are ordinary.
        using var p = tensor(new[]
        {
            0.1f, 0.7f, 0.2f,
            float.NaN, float.NaN, float.NaN,
            0.6f, 0.3f, 0.1f,
            0.2f, float.PositiveInfinity, 0.1f,
            0.1f, 0.1f, 0.8f,
        }, [5, 3]);
        var model = new FixedProbabilities(p);
        using var x = zeros(5, 2);
        foreach (var batchSize in new[] { 1024, 2 })
        {
            using var predicted = model.Predict(x, batchSize);
            Assert.Equal([1L, -1, 0, -1, 2], predicted.data<long>().ToArray());
            Assert.Equal(-1L, ClassifierExtensions.NoPrediction);

            using var trueLabels = tensor(new long[] { 0, 0, 0, 0, 0 });
            using var untargeted = AttackGoal.Untargeted(trueLabels).IsSuccess(predicted);
            Assert.Equal([true, false, false, false, true], untargeted.data<bool>().ToArray());

            // A target of −1 equals the "no prediction" marker; it is still no success.
            using var targets = tensor(new long[] { 1, -1, 1, -1, 2 });
            using var targeted = AttackGoal.Targeted(targets).IsSuccess(predicted);
            Assert.Equal([true, false, false, false, true], targeted.data<bool>().ToArray());
        }
    }

    [Fact]
    public void A_module_producing_NaN_gets_minus_one_through_TorchClassifier()
    {
        using var model = new TorchClassifier(new NanAboveHalf(), 3, InputBounds.Unit, ownsModule: true);
        using var x = tensor(new[] { 0.1f, 0.2f, 0.9f, 0.3f, 0.4f, 0.0f }, [3, 2]);
        using var predicted = model.Predict(x);
        // Row 0: logits (0.1, 0.2, 0) → 1; row 1: NaN; row 2: (0.4, 0, 0) → 0.
        Assert.Equal([1L, -1, 0], predicted.data<long>().ToArray());
        using var labels = tensor(new long[] { 0, 0, 1 });
        using var success = AttackGoal.Untargeted(labels).IsSuccess(predicted);
        Assert.Equal([true, false, true], success.data<bool>().ToArray());
    }

    public static TheoryData<ScalarType> IntegerTypes => [ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Byte];

    [Theory]
    [MemberData(nameof(IntegerTypes))]
    public void Goals_accept_every_integer_label_dtype_and_hold_int64(ScalarType type)
    {
        using var labels64 = tensor(new long[] { 2, 0, 1, 2 });
        using var labels = labels64.to_type(type);
        var goal = AttackGoal.Untargeted(labels);
        Assert.Equal(ScalarType.Int64, goal.Labels.dtype);
        Assert.Equal([2L, 0, 1, 2], goal.Labels.data<long>().ToArray());
        using var predicted = tensor(new long[] { 2, 1, 1, 0 });
        using var success = goal.IsSuccess(predicted);
        Assert.Equal([false, true, false, true], success.data<bool>().ToArray());
        using var predicted32 = predicted.to_type(ScalarType.Int32);
        using var success32 = AttackGoal.Targeted(labels).IsSuccess(predicted32);
        Assert.Equal([true, false, true, false], success32.data<bool>().ToArray());
        goal.Validate(4, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => goal.Validate(4, 2));
    }

    [Fact]
    public void An_int64_goal_keeps_the_callers_tensor_and_a_converted_one_outlives_a_dispose_scope()
    {
        using var labels64 = tensor(new long[] { 1, 0 });
        Assert.Same(labels64, AttackGoal.Untargeted(labels64).Labels);
        AttackGoal goal;
        using (NewDisposeScope())
        {
            var labels = tensor(new[] { 1, 0 });
            goal = AttackGoal.Targeted(labels);
        }
        Assert.False(goal.Labels.IsInvalid);
        Assert.Equal([1L, 0], goal.Labels.data<long>().ToArray());
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Bool)]
    public void Goals_refuse_non_integer_labels(ScalarType type)
    {
        using var labels = zeros(3, dtype: type);
        var e = Assert.Throws<ArgumentException>(() => AttackGoal.Untargeted(labels));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("integer class indices", e.Message);
    }

    [Theory]
    [MemberData(nameof(IntegerTypes))]
    public void An_attack_with_narrow_labels_matches_the_int64_run(ScalarType type)
    {
        using var model = LinearModel();
        using var x = tensor(Samples, [Samples.Length / 2, 2]);
        using var y64 = tensor(HandPredictions());
        using var y = y64.to_type(type);
        var attack = new Fgsm(new FgsmOptions { Epsilon = 0.3 });
        using var expected = attack.Run(model, x, AttackGoal.Untargeted(y64));
        using var actual = attack.Run(model, x, AttackGoal.Untargeted(y));
        Assert.True(TensorAssert.Same(expected.Adversarials, actual.Adversarials));
        Assert.True(TensorAssert.Same(expected.Success, actual.Success));
        Assert.True(expected.Success.any().item<bool>()); // the comparison is not vacuous
    }

    [Fact]
    public void Goals_check_the_prediction_shape()
    {
        using var labels = tensor(new long[] { 0, 1, 2 });
        using var predicted = tensor(new long[] { 0, 1 });
        Assert.Throws<ArgumentException>(() => AttackGoal.Untargeted(labels).IsSuccess(predicted));
    }

    /// <summary>A black-box classifier that answers fixed probabilities.</summary>
    private sealed class FixedProbabilities(Tensor probabilities) : IClassifier
    {
        public int ClassCount => (int)probabilities.shape[1];

        public InputBounds Bounds => InputBounds.Unit;

        public Device Device => CPU;

        public long QueryCount { get; private set; }

        private long _next;

        public Tensor PredictProbabilities(Tensor inputs)
        {
            var n = inputs.shape[0];
            QueryCount += n;
            var start = _next % probabilities.shape[0];
            _next += n;
            return probabilities.narrow(0, start, n).clone();
        }
    }

    /// <summary>logits = (x₀, x₁, 0), but NaN for every sample with x₀ above one half.</summary>
    private sealed class NanAboveHalf() : nn.Module<Tensor, Tensor>(nameof(NanAboveHalf))
    {
        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var logits = cat([input, zeros(input.shape[0], 1)], 1);
            var bad = input.select(1, 0).gt(0.5).unsqueeze(1);
            return logits.masked_fill(bad, float.NaN).MoveToOuterDisposeScope();
        }
    }
}
