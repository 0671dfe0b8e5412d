using MathNet.Numerics.LinearAlgebra;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;
using NeuralShield.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Data;

/// <summary>
/// SPECTRE's parts against hand computations and naive implementations: the QUE matrix and scores, the fourth-moment
/// operator's top eigenvalue against the explicit k²×k² matrix, the robust filter on one-dimensional sets worked by hand,
/// k = 1 against spectral signatures, and a planted class where a third of the points are shifted along a known direction.
/// </summary>
public class SpectreTests
{
    private static Tensor Rows(double[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], dtype: ScalarType.Float64);

    [Fact]
    public void QueMatrixOfADiagonalCovarianceIsWorkedByHand()
    {
        // Σ = diag(3, 1): ‖Σ‖ = 3, α (Σ − I) / (‖Σ‖ − 1) = diag(4, 0), so M = diag(e⁴, 1) / (e⁴ + 1).
        using var sigma = Rows([[3, 0], [0, 1]]);
        using var m = RobustCovariance.QueMatrix(sigma, alpha: 4);
        var e4 = Math.Exp(4);
        Assert.Equal(e4 / (e4 + 1), m[0, 0].item<double>(), 12);
        Assert.Equal(1 / (e4 + 1), m[1, 1].item<double>(), 12);
        Assert.Equal(0, m[0, 1].item<double>(), 12);
        using var x = Rows([[1, 0], [0, 1], [1, 1], [2, -1]]);
        Assert.Equal(new[] { e4, 1, e4 + 1, 4 * e4 + 1 }.Select(v => v / (e4 + 1)), RobustCovariance.QueScores(x, m), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void QueScoresDoNotDependOnTheBasis()
    {
        // The same covariance and points turned by 30°: the scores are unchanged (M turns with Σ).
        var (c, s) = (Math.Cos(Math.PI / 6), Math.Sin(Math.PI / 6));
        double[][] Turn(double[][] rows) => rows.Select(r => new[] { c * r[0] - s * r[1], s * r[0] + c * r[1] }).ToArray();
        using var sigma = Rows([[3 * c * c + s * s, 2 * c * s], [2 * c * s, 3 * s * s + c * c]]);
        using var m = RobustCovariance.QueMatrix(sigma, alpha: 4);
        using var x = Rows(Turn([[1, 0], [0, 1], [1, 1], [2, -1]]));
        var e4 = Math.Exp(4);
        Assert.Equal(new[] { e4, 1, e4 + 1, 4 * e4 + 1 }.Select(v => v / (e4 + 1)), RobustCovariance.QueScores(x, m), new ToleranceComparer(1e-10));
    }

    [Fact]
    public void TopEigenvalueOfTheFourthMomentOperatorMatchesTheExplicitMatrix()
    {
        // Naive: the k²×k² matrix A[(a,b),(c,e)] = (1/m) Σ yₐ y_b y_c y_e − δ_ab δ_ce, its largest eigenvalue by MathNet.
        var random = new Random(3);
        const int m = 40, k = 3;
        var y = Enumerable.Range(0, m).Select(_ => Enumerable.Range(0, k).Select(_ => random.NextDouble() * 2 - 1 + (random.Next(5) == 0 ? 3 : 0)).ToArray()).ToArray();
        var a = Matrix<double>.Build.Dense(k * k, k * k);
        for (var p = 0; p < k * k; p++)
            for (var q = 0; q < k * k; q++)
            {
                var sum = y.Sum(r => r[p / k] * r[p % k] * r[q / k] * r[q % k]) / m;
                a[p, q] = sum - (p / k == p % k && q / k == q % k ? 1 : 0);
            }
        var naive = a.Evd(Symmetricity.Symmetric).EigenValues.Real().Max();
        using var rows = Rows(y);
        var (value, vector) = RobustCovariance.TopEigen(rows);
        using var _ = vector;
        Assert.Equal(naive, value, 8);
        // The eigenvector satisfies T(V) = λ V.
        using var applied = RobustCovariance.Apply(rows, vector);
        Assert.True((applied - vector * value).abs().max().item<double>() < 1e-7);
    }

    [Fact]
    public void FilterRemovesAFarPointAndStopsOnAFlatSet()
    {
        // 999 points at ±1 and one at 1000 (m = 1000): second moment (999 + 10⁶) / 1000 = 1000.999, so the far point's
        // whitened square is 10⁶ / 1000.999 = 999 ≥ C d log(m / τ) = 10 ln(10⁴) = 92.1 and it goes; the rest (±1) has
        // y⁴ = 1, so the operator's eigenvalue is mean(y⁴) − 1 = 0, below the bound, and the filter stops.
        var values = Enumerable.Range(0, 999).Select(i => i % 2 == 0 ? 1.0 : -1.0).Append(1000).ToArray();
        using var rows = Rows(values.Select(v => new[] { v }).ToArray());
        var keep = RobustCovariance.Filter(rows, epsilon: 0.01, tau: 0.1, limit: 10);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i < 999), keep);
    }

    [Fact]
    public void FilterRemovesNoMoreThanItsLimit()
    {
        // 998 points at ±1, one at 1000 and one at 2000: second moment (998 + 5·10⁶) / 1000 ≈ 5001, whitened squares
        // 200 and 800, both above 92.1; with a limit of 1 only the farther one goes.
        var values = Enumerable.Range(0, 998).Select(i => i % 2 == 0 ? 1.0 : -1.0).Append(1000).Append(2000).ToArray();
        using var rows = Rows(values.Select(v => new[] { v }).ToArray());
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i != 999), RobustCovariance.Filter(rows, 0.01, 0.1, limit: 1));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i < 998), RobustCovariance.Filter(rows, 0.01, 0.1, limit: 5));
    }

    private static TorchClassifier IdentityModel(int d)
    {
        var module = nn.Sequential(("representation", nn.Identity()), ("logits", nn.Linear(d, 2)));
        return new TorchClassifier(module, 2, new InputBounds(-1000, 1000), [d], ownsModule: true);
    }

    private static LabeledData Data(double[][] points, long[] labels) =>
        new(tensor(points.SelectMany(p => p.Select(v => (float)v)).ToArray(), [points.Length, points[0].Length]), tensor(labels), 2);

    // Standard normal draws (Box–Muller), seeded.
    private static double[] Normal(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray();

    [Fact]
    public void OneComponentScoresAreTheSpectralSignature()
    {
        // With k = 1 SPECTRE scores the squared centred projection on the top principal direction: the spectral signature.
        var random = new Random(5);
        var points = Enumerable.Range(0, 30).Select(i => Normal(random, 3).Select((v, j) => v * (j + 1) + (i < 6 && j == 0 ? 5 : 0)).ToArray()).ToArray();
        var labels = Enumerable.Range(0, 30).Select(i => (long)(i % 3 == 2 ? 1 : 0)).ToArray();
        using var data = Data(points, labels);
        using var model = IdentityModel(3);
        using var spectre = new Spectre(model, new SpectreOptions { Epsilon = 0.2, Dimensions = 1 }).Inspect(data);
        using var spectral = new SpectralSignatures(model, new SpectralSignatureOptions { Epsilon = 0.2 }).Inspect(data);
        Assert.Equal(spectral.Scores!, spectre.Scores!, new ToleranceComparer(1e-4));
        // Removal: round(1.5 · round(0.2 n)) per class: class 0 (20 points) 6, class 1 (10 points) 3 — spectral floors 1.5 ε n to the same.
        Assert.Equal(spectral.Flagged, spectre.Flagged);
    }

    // Class 0: 190 clean points N(0, diag(1, 16, 1, …, 1)) in 20 dimensions and 10 poison points (5%) shifted by 10
    // along e₁; class 1: 100 clean points around 20·1.
    private static (double[][] Points, long[] Labels, HashSet<long> Poison) PlantedCluster()
    {
        var random = new Random(11);
        const int d = 20;
        var points = new List<double[]>();
        for (var i = 0; i < 200; i++) points.Add(Normal(random, d).Select((v, j) => v * (j == 1 ? 4 : 1) + (i >= 190 && j == 0 ? 10 : 0)).ToArray());
        for (var i = 0; i < 100; i++) points.Add(Normal(random, d).Select((v, j) => v * (j == 1 ? 4 : 1) + 20).ToArray());
        var labels = Enumerable.Range(0, 300).Select(i => (long)(i < 200 ? 0 : 1)).ToArray();
        return (points.ToArray(), labels, Enumerable.Range(190, 10).Select(i => (long)i).ToHashSet());
    }

    [Fact]
    public void FilterRemovesThePlantedClusterFromTheCovarianceEstimate()
    {
        // The poison makes e₁'s fourth moment far from a Gaussian's (a whitened kurtosis near 14 against the filter's
        // bound 1 + 10 · 0.05 · ln²(20) = 5.5), so the filter removes it, within its limit of 2 · 10 points.
        var (points, _, poison) = PlantedCluster();
        using var rows = Rows(points.Take(200).ToArray());
        var (projected, _) = RobustCovariance.Pca(rows, 16);
        using var _p = projected;
        var keep = RobustCovariance.Filter(projected, epsilon: 0.05, tau: 0.1, limit: 20);
        Assert.All(poison, i => Assert.False(keep[i]));
        Assert.True(keep.Count(k => !k) <= 20);
    }

    [Fact]
    public void FlagsAPlantedClusterThatTheTopSingularVectorMisses()
    {
        // Along e₁ class 0 varies by 1 + 10² · 0.05 · 0.95 = 5.75, along e₂ by 16: the top singular vector is e₂, so the
        // spectral signature ranks the clean tails of e₂. Whitened by the full covariance (no robust estimate), the poison
        // lies 3.96 from the mean along e₁ and the Mahalanobis norms of the clean points, χ² with up to 15 more degrees of
        // freedom (k = 9), reach as far; whitened by the clean covariance it lies 10 away, e₁ is the direction that stands out, and
        // QUE ranks the poison first.
        var (points, labels, poison) = PlantedCluster();
        using var data = Data(points, labels);
        using var model = IdentityModel(20);
        var defense = new Spectre(model, new SpectreOptions { Epsilon = 0.05, Class = 0, Dimensions = 9 });
        using var report = defense.Inspect(data);
        // round(1.5 · round(0.05 · 200)) = 15 points of class 0 are removed, nothing of class 1 (not inspected).
        Assert.Equal(15, report.Flagged.Count);
        Assert.Equal(10, report.Flagged.Count(poison.Contains));
        Assert.Equal(9, defense.LastDimensions[0]);
        // Whitened by the clean covariance, every poison point scores above every clean one (by the full covariance they
        // would overlap: 3.96² + χ²₈ against χ²₉).
        var scores = report.Scores!;
        Assert.True(poison.Min(i => scores[(int)i]) > Enumerable.Range(0, 190).Max(i => scores[i]));
        using var spectral = new SpectralSignatures(model, new SpectralSignatureOptions { Epsilon = 0.05 }).Inspect(data);
        Assert.True(spectral.Flagged.Count(poison.Contains) < 5, "the spectral signature was expected to follow e₂");
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(double obj) => 0;
    }
}
