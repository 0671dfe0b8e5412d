using FsCheck.Xunit;
using NeuralShield.Metrics;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Metrics;

public class DistancesTests
{
    [Fact]
    public void KnownTensorsGiveKnownDistances()
    {
        using var a = tensor(new float[] { 0, 0, 0, 0, 1, 1, 1, 1 }).reshape(2, 4);
        using var b = tensor(new float[] { 3, 4, 0, 0, 1, 1, 0.5f, 1 }).reshape(2, 4);
        using var l0 = Distances.L0(a, b);
        using var l2 = Distances.L2(a, b);
        using var linf = Distances.LInf(a, b);
        Assert.Equal(new float[] { 2, 1 }, l0.data<float>().ToArray());
        Assert.Equal(new float[] { 5, 0.5f }, l2.data<float>().ToArray());
        Assert.Equal(new float[] { 4, 0.5f }, linf.data<float>().ToArray());
    }

    [Fact]
    public void ShapeMismatchIsRejected()
    {
        using var a = zeros(2, 4);
        using var b = zeros(2, 5);
        var ex = Assert.Throws<ArgumentException>(() => Distances.L2(a, b));
        Assert.Equal("b", ex.ParamName);
    }

    [Property(MaxTest = 50)]
    public bool NormsAreOrderedAndNonNegative(int seed, byte size)
    {
        var n = size % 20 + 1;
        using var g = new Generator((ulong)(uint)seed);
        using var a = rand(3, n, generator: g);
        using var b = rand(3, n, generator: g);
        using var l0 = Distances.L0(a, b);
        using var l2 = Distances.L2(a, b);
        using var linf = Distances.LInf(a, b);
        // ‖d‖∞ ≤ ‖d‖₂ ≤ √‖d‖₀ · ‖d‖∞ and ‖d‖₀ ≤ n.
        var ok = true;
        for (var i = 0; i < 3; i++)
        {
            float z = l0[i].item<float>(), e = l2[i].item<float>(), m = linf[i].item<float>();
            ok &= m >= 0 && m <= e + 1e-5f && e <= MathF.Sqrt(z) * m + 1e-5f && z <= n;
        }
        return ok;
    }
}
