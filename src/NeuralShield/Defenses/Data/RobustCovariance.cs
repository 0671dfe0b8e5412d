using static TorchSharp.torch;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// The numerical parts of SPECTRE (Hayase, Kong, Somani, Oh 2021), on float64 tensors whose rows are points: PCA, the
/// robust covariance filter of Diakonikolas, Kamath, Kane, Li, Moitra, Stewart (2017) that SPECTRE uses to estimate the
/// clean covariance, whitening, and the quantum-entropy (QUE) outlier score of Dong, Hopkins, Li (2019).
/// </summary>
internal static class RobustCovariance
{
    /// <summary>C of the filter (the authors' code: 10).</summary>
    private const double C = 10;

    /// <summary>The shift below which a point's deviation is never filtered (the authors' code: 3).</summary>
    private const double Shift = 3;

    /// <summary>
    /// The rows centred at their mean and projected on their first <paramref name="k"/> principal components ([n, k]),
    /// with the singular values of the centred rows (all of them).
    /// </summary>
    public static (Tensor Projected, double[] Singular) Pca(Tensor rows, int k)
    {
        using var scope = NewDisposeScope();
        var centred = rows - rows.mean([0], keepdim: true);
        var (_, s, vh) = linalg.svd(centred, fullMatrices: false);
        var projected = centred.mm(vh.narrow(0, 0, Math.Min(k, vh.shape[0])).t());
        return (projected.MoveToOuterDisposeScope(), s.data<double>().ToArray());
    }

    /// <summary>The covariance of the rows (centred at their mean), divided by n − 1 (<paramref name="corrected"/>) or n.</summary>
    public static Tensor Covariance(Tensor rows, bool corrected)
    {
        using var scope = NewDisposeScope();
        var n = rows.shape[0];
        var centred = rows - rows.mean([0], keepdim: true);
        return (centred.t().mm(centred) / (corrected ? n - 1 : n)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A symmetric positive semi-definite matrix raised to the power −1/2 (by its eigendecomposition). Eigenvalues below
    /// 1e-10 of the largest count as 1e-10 of it: a direction in which the points whitened by it do not vary (a unit only
    /// the removed points use) is scaled up as far as that allows instead of dividing by zero.
    /// </summary>
    public static Tensor InverseSqrt(Tensor symmetric)
    {
        using var scope = NewDisposeScope();
        var (values, vectors) = linalg.eigh(symmetric);
        var largest = values.max().item<double>();
        if (!(largest > 0)) throw new InvalidOperationException("The covariance to whiten by is zero: the points do not vary.");
        var floored = values.clamp_min(1e-10 * largest);
        return (vectors.mm(diag(floored.rsqrt())).mm(vectors.t())).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The QUE weight matrix M = exp(α (Σ − I) / (‖Σ‖₂ − 1)) / tr(·) of a covariance Σ of whitened points (Dong et al.;
    /// SPECTRE's α = 4). A 1×1 Σ gives M = [1], as in the authors' code.
    /// </summary>
    public static Tensor QueMatrix(Tensor covariance, double alpha)
    {
        using var scope = NewDisposeScope();
        var d = covariance.shape[0];
        if (d == 1) return ones(1, 1, dtype: ScalarType.Float64).MoveToOuterDisposeScope();
        var (values, vectors) = linalg.eigh(covariance);
        var norm = values.abs().max().item<double>();
        // The spread above the identity sets the temperature; a covariance with no direction above 1 has none to weigh
        // (every direction counts alike: M = I / d).
        if (!(norm - 1 > 1e-12)) return (eye(d, dtype: ScalarType.Float64) / d).MoveToOuterDisposeScope();
        var weights = ((values - 1) * (alpha / (norm - 1))).exp();
        var m = vectors.mm(diag(weights)).mm(vectors.t());
        return (m / m.trace()).MoveToOuterDisposeScope();
    }

    /// <summary>The QUE score xᵀ M x of each row.</summary>
    public static double[] QueScores(Tensor whitened, Tensor m)
    {
        using var scope = NewDisposeScope();
        return (whitened.mm(m) * whitened).sum(1).data<double>().ToArray();
    }

    /// <summary>
    /// The robust covariance filter, iterated (the authors' <c>cov_estimation_iterate</c>): each round either removes the
    /// points whose whitened norm is far beyond what a Gaussian allows, or finds the direction V (a symmetric matrix) where
    /// the points' fourth moments deviate most from a Gaussian's and removes those whose yᵀVy deviates beyond a tail bound;
    /// it stops when the deviation is within (1 + C ε log²(1/ε)), when no point lies in the tail, or when
    /// <paramref name="limit"/> points have been removed. Returns which rows are kept.
    /// </summary>
    /// <param name="rows">[n, k] float64 points (centred: the filter reads second moments about 0).</param>
    /// <param name="epsilon">The poisoned fraction assumed (the authors: the poison count over n).</param>
    /// <param name="tau">The failure probability τ of the filter's tail bound (0.1).</param>
    /// <param name="limit">The most points removed in all.</param>
    /// <param name="cancellationToken">Cancels between rounds.</param>
    public static bool[] Filter(Tensor rows, double epsilon, double tau, int limit, CancellationToken cancellationToken = default)
    {
        var n = (int)rows.shape[0];
        var indices = Enumerable.Range(0, n).ToArray();
        var left = limit;
        var current = rows.alias();
        Tensor? direction = null;
        try
        {
            while (left > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var keep = FilterRound(current, epsilon, tau, left, ref direction);
                if (keep is null) break;
                var removed = keep.Count(k => !k);
                if (removed == 0) break;
                left -= removed;
                var kept = Enumerable.Range(0, keep.Length).Where(i => keep[i]).ToArray();
                indices = kept.Select(i => indices[i]).ToArray();
                using var index = tensor(kept.Select(i => (long)i).ToArray());
                var next = current.index_select(0, index);
                current.Dispose();
                current = next;
            }
        }
        finally
        {
            current.Dispose();
            direction?.Dispose();
        }
        var selected = new bool[n];
        foreach (var i in indices) selected[i] = true;
        return selected;
    }

    /// <summary>One round of the filter: the rows to keep, or null when it stops (nothing more to remove).</summary>
    internal static bool[]? FilterRound(Tensor rows, double epsilon, double tau, int limit)
    {
        Tensor? direction = null;
        try
        {
            return FilterRound(rows, epsilon, tau, limit, ref direction);
        }
        finally
        {
            direction?.Dispose();
        }
    }

    // direction: the previous round's top direction, to start the eigensolver from (replaced by this round's).
    private static bool[]? FilterRound(Tensor rows, double epsilon, double tau, int limit, ref Tensor? direction)
    {
        using var scope = NewDisposeScope();
        var (m, d) = ((int)rows.shape[0], (int)rows.shape[1]);
        var second = rows.t().mm(rows) / m;
        var y = rows.mm(InverseSqrt(second));
        var norms = y.pow(2).sum(1).data<double>().ToArray();
        var far = C * d * Math.Log(m / tau);
        if (norms.Any(q => q >= far))
            return AtMost(norms, q => q >= far, limit);
        var (lambda, v) = TopEigen(y, direction);
        direction?.Dispose();
        direction = v.clone().DetachFromDisposeScope();
        if (lambda <= 1 + C * epsilon * Math.Pow(Math.Log(1 / epsilon), 2)) return null;
        var trace = v.trace().item<double>();
        var p = (y.mm(v) * y).sum(1).data<double>().Select(t => (t - trace) / Math.Sqrt(2)).ToArray();
        var median = Median(p);
        var diffs = p.Select(t => Math.Abs(t - median)).ToArray();
        var sorted = diffs.Order().ToArray();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (sorted[i] < Shift) continue;
            var t = sorted[i] - Shift;
            if (t <= 0) continue;
            if ((i + 1) / (double)m >= Tail(t, epsilon))
                return AtMost(diffs, x => x > t, limit);
        }
        return null;
    }

    // Removes the points `remove` selects, but never more than `limit`: those beyond the (m − limit) smallest values stay
    // removable, the rest are kept (the authors' `.| k_lowest_ind(values, n - limit)`).
    private static bool[] AtMost(double[] values, Func<double, bool> remove, int limit)
    {
        var m = values.Length;
        var lowest = m - limit;
        var cut = lowest <= 0 ? double.NegativeInfinity : values.Order().ElementAt(lowest - 1);
        return values.Select(x => !remove(x) || (lowest > 0 && x <= cut)).ToArray();
    }

    // The filter's tail bound on the share of points deviating by more than T (the authors' cov_Tail).
    private static double Tail(double t, double epsilon) =>
        t <= 10 * Math.Log(1 / epsilon) ? 1 : 3 * epsilon / Math.Pow(t * Math.Log(t), 2);

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// The operator of the filter on symmetric k×k matrices: T(V) = (1/m) Σᵢ (yᵢᵀ V yᵢ) yᵢ yᵢᵀ − tr(V) I (the empirical
    /// fourth-moment tensor of the whitened points minus the identity's flattening, applied to V).
    /// </summary>
    internal static Tensor Apply(Tensor y, Tensor v)
    {
        using var scope = NewDisposeScope();
        var m = y.shape[0];
        var c = (y.mm(v) * y).sum(1, keepdim: true);
        var result = (y * c).t().mm(y) / m - eye(v.shape[0], dtype: ScalarType.Float64) * v.trace();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The largest eigenvalue of <see cref="Apply"/> over symmetric matrices and its eigenvector (Frobenius norm 1), by
    /// Lanczos iterations with full reorthogonalisation from <paramref name="from"/> (the filter's previous direction) or
    /// the all-ones matrix, restarted from the Ritz vector until the residual is below 1e-9 of the eigenvalue.
    /// </summary>
    internal static (double Value, Tensor Vector) TopEigen(Tensor y, Tensor? from = null, int maxSteps = 80, int maxRestarts = 20)
    {
        var d = (int)y.shape[1];
        var dimension = d * (d + 1) / 2;
        var steps = Math.Min(maxSteps, dimension);
        var start = from is null ? ones(d, d, dtype: ScalarType.Float64) : from.clone();
        try
        {
            return Lanczos(y, start, steps, dimension, maxRestarts);
        }
        finally
        {
            start.Dispose();
        }
    }

    private static (double Value, Tensor Vector) Lanczos(Tensor y, Tensor start, int steps, int dimension, int maxRestarts)
    {
        var d = (int)y.shape[1];
        for (var restart = 0; ; restart++)
        {
            using var scope = NewDisposeScope();
            // The Krylov basis as the rows of one matrix, so that reorthogonalising against all of it is two products.
            var basis = zeros(steps, d * d, dtype: ScalarType.Float64);
            var alphas = new List<double>();
            var betas = new List<double>();
            var q = (start / Norm(start)).reshape(d * d);
            for (var j = 0; j < steps; j++)
            {
                basis[j] = q;
                var w = Apply(y, q.reshape(d, d)).reshape(d * d);
                alphas.Add(Dot(w, q));
                var used = basis.narrow(0, 0, j + 1);
                for (var pass = 0; pass < 2; pass++) w -= used.t().mv(used.mv(w));
                var beta = Norm(w);
                var invariant = beta <= 1e-12 * Math.Max(1, Math.Abs(alphas[^1]));
                // The Ritz pair is checked every 8 steps, at the end and when the space is exhausted.
                if (invariant || j + 1 == steps || (j + 1) % 8 == 0)
                {
                    var (theta, s) = Tridiagonal(alphas, betas);
                    var residual = invariant ? 0 : beta * Math.Abs(s[^1]);
                    var converged = residual <= 1e-9 * Math.Max(1, Math.Abs(theta));
                    if (converged || j + 1 == steps)
                    {
                        using var weights = tensor(s);
                        var ritz = basis.narrow(0, 0, j + 1).t().mv(weights).reshape(d, d);
                        ritz /= Norm(ritz);
                        if (converged || restart >= maxRestarts || j + 1 == dimension)
                            return (theta, ritz.MoveToOuterDisposeScope());
                        start.copy_(ritz);
                        break;
                    }
                }
                betas.Add(beta);
                q = w / beta;
            }
        }
    }

    // The largest eigenvalue of the Lanczos tridiagonal matrix (diagonal alphas, off-diagonal betas) and its eigenvector.
    private static (double Value, double[] Vector) Tridiagonal(List<double> alphas, List<double> betas)
    {
        using var scope = NewDisposeScope();
        var size = alphas.Count;
        var entries = new double[size * size];
        for (var i = 0; i < size; i++)
        {
            entries[i * size + i] = alphas[i];
            if (i + 1 < size) entries[i * size + i + 1] = entries[(i + 1) * size + i] = betas[i];
        }
        var (values, vectors) = linalg.eigh(tensor(entries, [size, size]));
        return (values[size - 1].item<double>(), vectors.select(1, size - 1).data<double>().ToArray());
    }

    private static double Dot(Tensor a, Tensor b) => (a * b).sum().item<double>();

    private static double Norm(Tensor a) => Math.Sqrt(Dot(a, a));
}
