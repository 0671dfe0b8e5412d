using NeuralShield.Attacks.Evasion;
using NeuralShield.Metrics;
using NeuralShield.Models;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Attacks.Evasion;

/// <summary>
/// FAB's projection onto a hyperplane inside the box, against cases worked by hand and against brute force on tiny
/// random cases: L2 by enumerating every active set (each coordinate free, at its lower face or at its upper face) and
/// keeping the feasible least-norm point; L∞ by bisection on the radius λ, with the reachable range of ⟨w, δ⟩ over
/// {|δᵢ| ≤ λ} ∩ box computed coordinate by coordinate.
/// </summary>
public class BoxedHyperplaneTests
{
    private static double[] Project(double[] t, double[] w, double b, Norm norm)
    {
        using var scope = NewDisposeScope();
        var delta = BoxedHyperplane.Step(tensor(t).unsqueeze(0), tensor(w).unsqueeze(0), tensor(new[] { b }), InputBounds.Unit, norm);
        return delta.squeeze(0).data<double>().ToArray();
    }

    [Theory]
    // ⟨w, t⟩ − b = 0.4 to remove; the first coordinate has room 0.1 only: L∞ λ = 0.3 moves (−0.1, −0.3); L2 the same (w = 1).
    [InlineData(Norm.LInf, new[] { 0.1, 0.5 }, new[] { 1.0, 1.0 }, 0.2, new[] { -0.1, -0.3 })]
    [InlineData(Norm.L2, new[] { 0.1, 0.5 }, new[] { 1.0, 1.0 }, 0.2, new[] { -0.1, -0.3 })]
    // L2 with w = (1, 2), 1.3 to remove: μ·1 + min(4μ, 1) = 1.3 gives μ = 0.3, δ = (−0.3, −0.5) (the second at its face).
    [InlineData(Norm.L2, new[] { 0.5, 0.5 }, new[] { 1.0, 2.0 }, 0.2, new[] { -0.3, -0.5 })]
    // L∞ with w = (1, 2): 3λ = 1.3, λ = 13/30, inside both rooms.
    [InlineData(Norm.LInf, new[] { 0.5, 0.5 }, new[] { 1.0, 2.0 }, 0.2, new[] { -13.0 / 30, -13.0 / 30 })]
    // The hyperplane on the other side: 0.6 to add, rooms 0.5 each towards 1.
    [InlineData(Norm.LInf, new[] { 0.5, 0.5 }, new[] { 1.0, 1.0 }, 1.6, new[] { 0.3, 0.3 })]
    [InlineData(Norm.L2, new[] { 0.5, 0.5 }, new[] { 1.0, 1.0 }, 1.6, new[] { 0.3, 0.3 })]
    // Beyond the box: the corner closest to the hyperplane.
    [InlineData(Norm.LInf, new[] { 0.5, 0.2 }, new[] { 1.0, -1.0 }, 3.0, new[] { 0.5, -0.2 })]
    [InlineData(Norm.L2, new[] { 0.5, 0.2 }, new[] { 1.0, -1.0 }, 3.0, new[] { 0.5, -0.2 })]
    // A coordinate with zero weight does not move; a point on the hyperplane does not move.
    [InlineData(Norm.LInf, new[] { 0.5, 0.2 }, new[] { 0.0, 2.0 }, 0.0, new[] { 0.0, -0.2 })]
    [InlineData(Norm.L2, new[] { 0.5, 0.4 }, new[] { 3.0, 2.0 }, 2.3, new[] { 0.0, 0.0 })]
    public void MatchesTheHandWorkedCases(Norm norm, double[] t, double[] w, double b, double[] expected)
    {
        var delta = Project(t, w, b, norm);
        for (var i = 0; i < t.Length; i++) Assert.Equal(expected[i], delta[i], 1e-12);
    }

    /// <summary>The least-L2-norm δ with ⟨w, t + δ⟩ = b inside [0, 1], by trying every active set; null when none exists.</summary>
    private static double[]? BruteForceL2(double[] t, double[] w, double b)
    {
        var d = t.Length;
        double[]? best = null;
        var bestNorm = double.PositiveInfinity;
        var sets = (int)Math.Pow(3, d);
        for (var code = 0; code < sets; code++)
        {
            var delta = new double[d];
            var free = new List<int>();
            var rest = b - w.Select((wi, i) => wi * t[i]).Sum();
            for (int i = 0, k = code; i < d; i++, k /= 3)
            {
                if (k % 3 == 0) { free.Add(i); continue; }
                delta[i] = k % 3 == 1 ? -t[i] : 1 - t[i];
                rest -= w[i] * delta[i];
            }
            var squared = free.Sum(i => w[i] * w[i]);
            if (squared == 0 && Math.Abs(rest) > 1e-12) continue;
            foreach (var i in free) delta[i] = squared == 0 ? 0 : rest / squared * w[i];
            if (delta.Select((v, i) => t[i] + v).Any(z => z < -1e-12 || z > 1 + 1e-12)) continue;
            var norm = Math.Sqrt(delta.Sum(v => v * v));
            if (norm < bestNorm - 1e-12) (best, bestNorm) = (delta, norm);
        }
        return best;
    }

    /// <summary>The range of ⟨w, δ⟩ over {|δᵢ| ≤ λ} ∩ {t + δ ∈ [0, 1]}, coordinate by coordinate.</summary>
    private static (double Low, double High) Reach(double[] t, double[] w, double lambda)
    {
        double low = 0, high = 0;
        for (var i = 0; i < t.Length; i++)
        {
            var (a, c) = (Math.Max(-t[i], -lambda), Math.Min(1 - t[i], lambda));
            low += Math.Min(w[i] * a, w[i] * c);
            high += Math.Max(w[i] * a, w[i] * c);
        }
        return (low, high);
    }

    /// <summary>The least L∞ radius at which the hyperplane meets the box and the ball, by bisection; null when it misses the box.</summary>
    private static double? BruteForceLInf(double[] t, double[] w, double b)
    {
        var need = b - w.Select((wi, i) => wi * t[i]).Sum();
        bool Feasible(double lambda)
        {
            var (low, high) = Reach(t, w, lambda);
            return low <= need && need <= high;
        }
        if (!Feasible(1.0)) return null;
        double lo = 0, hi = 1;
        for (var i = 0; i < 200; i++)
        {
            var mid = (lo + hi) / 2;
            if (Feasible(mid)) hi = mid; else lo = mid;
        }
        return hi;
    }

    [Theory]
    [InlineData(Norm.LInf)]
    [InlineData(Norm.L2)]
    public void MatchesBruteForceOnTinyRandomCases(Norm norm)
    {
        var random = new Random(17);
        const int d = 4;
        var missed = 0;
        for (var trial = 0; trial < 300; trial++)
        {
            // Some points on the faces, some weights zero, hyperplanes on both sides and some beyond the box.
            var t = Enumerable.Range(0, d).Select(_ => random.NextDouble() < 0.15 ? (double)random.Next(2) : random.NextDouble()).ToArray();
            var w = Enumerable.Range(0, d).Select(_ => random.NextDouble() < 0.15 ? 0.0 : random.NextDouble() * 4 - 2).ToArray();
            var b = w.Select((wi, i) => wi * t[i]).Sum() + (random.NextDouble() * 2 - 1) * 2.5;
            var delta = Project(t, w, b, norm);
            Assert.All(delta.Select((v, i) => t[i] + v), z => Assert.InRange(z, -1e-12, 1 + 1e-12));
            var reached = w.Select((wi, i) => wi * (t[i] + delta[i])).Sum();
            bool meets = norm == Norm.L2 ? BruteForceL2(t, w, b) is not null : BruteForceLInf(t, w, b) is not null;
            if (!meets)
            {
                // The corner closest to the hyperplane: every weighted coordinate at the face towards it.
                missed++;
                var towards = Math.Sign(b - w.Select((wi, i) => wi * t[i]).Sum());
                for (var i = 0; i < d; i++)
                    Assert.Equal(w[i] == 0 ? 0 : (Math.Sign(w[i]) == towards ? 1 - t[i] : -t[i]), delta[i], 1e-12);
                continue;
            }
            Assert.Equal(b, reached, 1e-9);
            if (norm == Norm.L2)
            {
                var expected = BruteForceL2(t, w, b)!;
                for (var i = 0; i < d; i++) Assert.Equal(expected[i], delta[i], 1e-9);
            }
            else
            {
                Assert.Equal(BruteForceLInf(t, w, b)!.Value, delta.Max(Math.Abs), 1e-9);
            }
        }
        // Not vacuous: both kinds of case occurred.
        Assert.InRange(missed, 10, 290);
    }

    [Fact]
    public void RowsAreIndependentInABatch()
    {
        var random = new Random(5);
        const int m = 40, d = 7;
        var t = new double[m, d];
        var w = new double[m, d];
        var b = new double[m];
        for (var r = 0; r < m; r++)
        {
            for (var i = 0; i < d; i++) (t[r, i], w[r, i]) = (random.NextDouble(), random.NextDouble() * 2 - 1);
            b[r] = random.NextDouble() * 2 - 1;
        }
        foreach (var norm in new[] { Norm.LInf, Norm.L2 })
        {
            using var scope = NewDisposeScope();
            var batch = BoxedHyperplane.Step(tensor(t), tensor(w), tensor(b), InputBounds.Unit, norm);
            for (var r = 0; r < m; r++)
            {
                var row = Project(Enumerable.Range(0, d).Select(i => t[r, i]).ToArray(), Enumerable.Range(0, d).Select(i => w[r, i]).ToArray(), b[r], norm);
                var fromBatch = batch[r].data<double>().ToArray();
                for (var i = 0; i < d; i++) Assert.Equal(row[i], fromBatch[i], 1e-12);
            }
        }
    }
}
