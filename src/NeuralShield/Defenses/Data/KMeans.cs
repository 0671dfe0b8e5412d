using MathNet.Numerics.LinearAlgebra;

namespace NeuralShield.Defenses.Data;

/// <summary>The outcome of <see cref="KMeans.Fit"/>.</summary>
/// <param name="Assignments">The cluster of each point.</param>
/// <param name="Centroids">The cluster centres.</param>
/// <param name="Inertia">Sum of squared distances of the points to their centres.</param>
internal sealed record KMeansResult(int[] Assignments, double[][] Centroids, double Inertia)
{
    /// <summary>Points per cluster.</summary>
    public int[] Sizes => Enumerable.Range(0, Centroids.Length).Select(c => Assignments.Count(a => a == c)).ToArray();
}

/// <summary>
/// k-means clustering (Lloyd's iterations from k-means++ seeds, Arthur and Vassilvitskii 2007), seeded, with restarts
/// keeping the lowest inertia; and the helpers activation clustering needs: PCA by SVD and the silhouette score.
/// </summary>
internal static class KMeans
{
    /// <summary>Clusters <paramref name="points"/> (rows of equal length) into <paramref name="k"/> clusters.</summary>
    /// <exception cref="ArgumentException">Fewer points than clusters, or rows of different lengths.</exception>
    public static KMeansResult Fit(IReadOnlyList<double[]> points, int k, long seed = 0, int restarts = 5, int maxIterations = 100)
    {
        ArgumentNullException.ThrowIfNull(points);
        Guard.Positive(k, nameof(k));
        Guard.Positive(restarts, nameof(restarts));
        Guard.Positive(maxIterations, nameof(maxIterations));
        if (points.Count < k) throw new ArgumentException($"k-means with k = {k} needs at least {k} points; got {points.Count}.", nameof(points));
        var d = points[0].Length;
        if (points.Any(p => p.Length != d)) throw new ArgumentException("Every point must have the same dimension.", nameof(points));
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        KMeansResult? best = null;
        for (var r = 0; r < restarts; r++)
        {
            var result = Run(points, k, random, maxIterations);
            if (best is null || result.Inertia < best.Inertia) best = result;
        }
        return best!;
    }

    private static KMeansResult Run(IReadOnlyList<double[]> points, int k, Random random, int maxIterations)
    {
        var n = points.Count;
        var centroids = new double[k][];
        centroids[0] = (double[])points[random.Next(n)].Clone();
        var nearest = points.Select(p => Squared(p, centroids[0])).ToArray();
        for (var c = 1; c < k; c++)
        {
            var total = nearest.Sum();
            var pick = 0;
            if (total > 0)
            {
                var u = random.NextDouble() * total;
                for (double acc = 0; pick < n - 1; pick++)
                {
                    acc += nearest[pick];
                    if (acc >= u) break;
                }
            }
            else pick = random.Next(n);
            centroids[c] = (double[])points[pick].Clone();
            for (var i = 0; i < n; i++) nearest[i] = Math.Min(nearest[i], Squared(points[i], centroids[c]));
        }
        var assign = new int[n];
        Array.Fill(assign, -1);
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                var a = Closest(points[i], centroids);
                if (a != assign[i]) { assign[i] = a; changed = true; }
            }
            if (!changed) break;
            var d = points[0].Length;
            var sums = new double[k][];
            var counts = new int[k];
            for (var c = 0; c < k; c++) sums[c] = new double[d];
            for (var i = 0; i < n; i++)
            {
                counts[assign[i]]++;
                for (var j = 0; j < d; j++) sums[assign[i]][j] += points[i][j];
            }
            for (var c = 0; c < k; c++)
            {
                if (counts[c] == 0) { centroids[c] = (double[])points[random.Next(n)].Clone(); continue; }
                for (var j = 0; j < d; j++) sums[c][j] /= counts[c];
                centroids[c] = sums[c];
            }
        }
        var inertia = 0.0;
        for (var i = 0; i < n; i++) inertia += Squared(points[i], centroids[assign[i]]);
        return new KMeansResult(assign, centroids, inertia);
    }

    /// <summary>
    /// The mean silhouette s = (b − a) / max(a, b) of a clustering (a: mean distance to the own cluster, b: to the
    /// nearest other cluster), over at most <paramref name="maxPoints"/> points drawn with <paramref name="seed"/>.
    /// </summary>
    public static double Silhouette(IReadOnlyList<double[]> points, int[] assignments, int maxPoints = 1000, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(assignments);
        var k = assignments.Max() + 1;
        var sample = Enumerable.Range(0, points.Count).ToArray();
        if (sample.Length > maxPoints)
        {
            new Random(unchecked((int)seed)).Shuffle(sample);
            sample = sample.Take(maxPoints).ToArray();
        }
        double total = 0;
        var counted = 0;
        foreach (var i in sample)
        {
            var sums = new double[k];
            var counts = new int[k];
            foreach (var j in sample)
            {
                if (j == i) continue;
                sums[assignments[j]] += Math.Sqrt(Squared(points[i], points[j]));
                counts[assignments[j]]++;
            }
            var own = assignments[i];
            if (counts[own] == 0) continue;
            var a = sums[own] / counts[own];
            var b = Enumerable.Range(0, k).Where(c => c != own && counts[c] > 0).Select(c => sums[c] / counts[c]).DefaultIfEmpty(double.NaN).Min();
            if (double.IsNaN(b)) continue;
            total += Math.Max(a, b) > 0 ? (b - a) / Math.Max(a, b) : 0;
            counted++;
        }
        return counted == 0 ? 0 : total / counted;
    }

    /// <summary>
    /// The rows of <paramref name="rows"/> projected on their first <paramref name="components"/> principal components
    /// (centred, SVD by MathNet.Numerics); with <paramref name="whiten"/>, each component scaled to unit variance (the
    /// whitening FastICA starts from; FastICA then only rotates the whitened components by an orthogonal matrix, which
    /// changes no distance between points).
    /// </summary>
    public static double[][] Pca(IReadOnlyList<double[]> rows, int components, bool whiten = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Guard.Positive(components, nameof(components));
        var centred = Centred(rows);
        var svd = centred.Svd(computeVectors: true);
        var m = Math.Min(components, svd.VT.RowCount);
        var basis = svd.VT.SubMatrix(0, m, 0, svd.VT.ColumnCount);
        var projected = centred * basis.Transpose();
        if (whiten)
        {
            var n = Math.Max(1, projected.RowCount);
            for (var j = 0; j < m; j++)
            {
                var sd = svd.S[j] / Math.Sqrt(n);
                if (sd > 0) projected.SetColumn(j, projected.Column(j) / sd);
            }
        }
        return Enumerable.Range(0, projected.RowCount).Select(i => projected.Row(i).ToArray()).ToArray();
    }

    /// <summary>The rows as a matrix minus their mean row.</summary>
    internal static Matrix<double> Centred(IReadOnlyList<double[]> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("rows must hold at least one row.", nameof(rows));
        var m = Matrix<double>.Build.DenseOfRowArrays(rows);
        var mean = m.ColumnSums() / m.RowCount;
        for (var i = 0; i < m.RowCount; i++) m.SetRow(i, m.Row(i) - mean);
        return m;
    }

    private static int Closest(double[] p, double[][] centroids)
    {
        var best = 0;
        var bestDistance = double.PositiveInfinity;
        for (var c = 0; c < centroids.Length; c++)
        {
            var d = Squared(p, centroids[c]);
            if (d < bestDistance) { bestDistance = d; best = c; }
        }
        return best;
    }

    private static double Squared(double[] a, double[] b)
    {
        double s = 0;
        for (var j = 0; j < a.Length; j++)
        {
            var t = a[j] - b[j];
            s += t * t;
        }
        return s;
    }
}
