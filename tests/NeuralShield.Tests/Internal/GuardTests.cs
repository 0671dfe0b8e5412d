using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Internal;

public class GuardTests
{
    public static TheoryData<ScalarType> IntegerTypes => [ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Int64, ScalarType.Byte];

    public static TheoryData<ScalarType> FloatTypes => [ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float32, ScalarType.Float64];

    [Theory]
    [MemberData(nameof(IntegerTypes))]
    public void Labels_of_every_integer_dtype_are_accepted_and_range_checked(ScalarType type)
    {
        using var ok = tensor(new long[] { 0, 2, 1, 2 }).to_type(type);
        Guard.Labels(ok, 4, 3, "labels");

        using var high = tensor(new long[] { 0, 3, 1, 2 }).to_type(type);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Labels(high, 4, 3, "labels"));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("[0, 2]", e.Message);
        Assert.Contains("found values in [0, 3]", e.Message);
    }

    [Theory]
    [InlineData(ScalarType.Int8)]
    [InlineData(ScalarType.Int16)]
    [InlineData(ScalarType.Int32)]
    public void Negative_labels_are_refused_with_their_value(ScalarType type)
    {
        using var labels = tensor(new long[] { 1, -1 }).to_type(type);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Labels(labels, 2, 3, "labels"));
        Assert.Contains("found values in [-1, 1]", e.Message);
    }

    [Fact]
    public void Uint8_labels_above_127_are_read_as_unsigned()
    {
        using var labels = tensor(new byte[] { 0, 200 });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Labels(labels, 2, 10, "labels"));
        Assert.Contains("found values in [0, 200]", e.Message);
        Guard.Labels(labels, 2, 201, "labels");
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Bool)]
    public void Non_integer_labels_are_refused(ScalarType type)
    {
        using var labels = zeros(3, dtype: type);
        var e = Assert.Throws<ArgumentException>(() => Guard.Labels(labels, 3, 2, "labels"));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("integer class indices", e.Message);
        Assert.Contains(type.ToString(), e.Message);
    }

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void Inputs_of_every_float_dtype_inside_the_bounds_pass(ScalarType type)
    {
        using var x = tensor(new[] { 0f, 0.5f, 1f, 0.25f }, [2, 2]).to_type(type);
        InputChecks.Inputs(x, InputBounds.Unit, "inputs");
        Guard.Finite(x, "inputs");
    }

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void NaN_inputs_are_refused_naming_NaN_the_count_and_the_first_sample(ScalarType type)
    {
        using var x = tensor(new[] { 0f, 0.5f, 0.5f, 0.5f, float.NaN, 0.5f, float.NaN, 0.5f }, [4, 2]).to_type(type);
        foreach (var check in new Action[] { () => InputChecks.Inputs(x, InputBounds.Unit, "inputs"), () => Guard.Finite(x, "inputs") })
        {
            var e = Assert.Throws<ArgumentException>(check);
            Assert.Equal("inputs", e.ParamName);
            Assert.Contains("2 NaN elements", e.Message);
            Assert.Contains("sample 2", e.Message);
            Assert.DoesNotContain("bounds", e.Message);
        }
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Infinite_inputs_are_refused_naming_Inf_and_the_first_sample(float value)
    {
        using var x = tensor(new[] { 0f, 0.5f, 0.5f, 0.5f, 0.5f, value }, [3, 2]);
        foreach (var check in new Action[] { () => InputChecks.Inputs(x, InputBounds.Unit, "inputs"), () => Guard.Finite(x, "inputs") })
        {
            var e = Assert.Throws<ArgumentException>(check);
            Assert.Contains("1 infinite (±Inf) element", e.Message);
            Assert.Contains("sample 2", e.Message);
            Assert.DoesNotContain("NaN", e.Message);
        }
    }

    [Fact]
    public void A_NaN_among_infinities_is_reported_as_NaN()
    {
        using var x = tensor(new[] { float.PositiveInfinity, 0f, 0f, float.NaN }, [2, 2]);
        var e = Assert.Throws<ArgumentException>(() => InputChecks.Inputs(x, InputBounds.Unit, "inputs"));
        Assert.Contains("1 NaN element;", e.Message);
        Assert.Contains("sample 1", e.Message);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Inputs_outside_the_bounds_are_refused_naming_the_observed_range(ScalarType type)
    {
        using var x = tensor(new[] { -0.5f, 0.5f, 0.25f, 1.25f }, [2, 2]).to_type(type);
        var e = Assert.Throws<ArgumentException>(() => InputChecks.Inputs(x, InputBounds.Unit, "inputs"));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("[0, 1]", e.Message);
        Assert.Contains("min -0.5", e.Message);
        Assert.Contains("max 1.25", e.Message);
    }

    [Fact]
    public void The_bounds_tolerance_is_1e_4()
    {
        using var inside = tensor(new[] { -0.00009f, 1.00009f }, [1, 2]);
        InputChecks.Inputs(inside, InputBounds.Unit, "inputs");
        using var outside = tensor(new[] { 0f, 1.0002f }, [1, 2]);
        Assert.Throws<ArgumentException>(() => InputChecks.Inputs(outside, InputBounds.Unit, "inputs"));
        using var below = tensor(new[] { -0.0002f, 1f }, [1, 2]);
        Assert.Throws<ArgumentException>(() => InputChecks.Inputs(below, InputBounds.Unit, "inputs"));
        var shifted = new InputBounds(-1f, 3f);
        using var wide = tensor(new[] { -1f, 3f }, [1, 2]);
        InputChecks.Inputs(wide, shifted, "inputs");
    }

    [Fact]
    public void Inputs_must_be_a_nonempty_float_batch()
    {
        using var ints = zeros(new long[] { 2, 2 }, dtype: ScalarType.Int32);
        var e = Assert.Throws<ArgumentException>(() => InputChecks.Inputs(ints, InputBounds.Unit, "inputs"));
        Assert.Contains("floating-point", e.Message);
        using var empty = zeros(0, 2);
        e = Assert.Throws<ArgumentException>(() => InputChecks.Inputs(empty, InputBounds.Unit, "inputs"));
        Assert.Contains("at least one sample", e.Message);
        using var vector = zeros(4);
        e = Assert.Throws<ArgumentException>(() => InputChecks.Inputs(vector, InputBounds.Unit, "inputs"));
        Assert.Contains("batch [N, ...]", e.Message);
        Assert.Throws<ArgumentNullException>(() => InputChecks.Inputs(null!, InputBounds.Unit, "inputs"));
    }

    [Fact]
    public void Default_bounds_are_refused()
    {
        Assert.True(default(InputBounds).IsDefault);
        Assert.False(InputBounds.Unit.IsDefault);
        Assert.False(new InputBounds(-3f, -2f).IsDefault);
        var e = Assert.Throws<ArgumentException>(() => InputChecks.Bounds(default, "bounds"));
        Assert.Equal("bounds", e.ParamName);
        Assert.Contains("default(InputBounds)", e.Message);
        InputChecks.Bounds(InputBounds.Unit, "bounds");
        using var x = zeros(1, 2);
        e = Assert.Throws<ArgumentException>(() => InputChecks.Inputs(x, default, "inputs"));
        Assert.Contains("default(InputBounds)", e.Message);
    }

    [Fact]
    public void Finite_accepts_integer_tensors_and_finite_scalars()
    {
        using var ints = tensor(new[] { 1, 2, 3 });
        Guard.Finite(ints, "t");
        using var scalar = tensor(2.5);
        Guard.Finite(scalar, "t");
        using var nanScalar = tensor(double.NaN);
        Assert.Contains("sample 0", Assert.Throws<ArgumentException>(() => Guard.Finite(nanScalar, "t")).Message);
    }

    [Theory]
    [MemberData(nameof(FloatTypes))]
    public void Contains_works_for_every_float_dtype_and_is_false_for_NaN(ScalarType type)
    {
        using var inside = tensor(new[] { 0f, 0.5f, 1f }).to_type(type);
        using var outside = tensor(new[] { 0f, 1.5f }).to_type(type);
        using var nan = tensor(new[] { 0.5f, float.NaN }).to_type(type);
        Assert.True(InputBounds.Unit.Contains(inside));
        Assert.False(InputBounds.Unit.Contains(outside));
        Assert.False(InputBounds.Unit.Contains(nan));
        Assert.True(new InputBounds(0f, 2f).Contains(outside));
    }

    [Fact]
    public void Contains_works_for_integer_tensors()
    {
        using var bytes = tensor(new byte[] { 0, 1 });
        Assert.True(InputBounds.Unit.Contains(bytes));
        using var twos = tensor(new[] { 0, 2 });
        Assert.False(InputBounds.Unit.Contains(twos));
    }
}
