using MathNet.Numerics;

namespace NeuralShield.Privacy;

/// <summary>
/// Rényi differential privacy (RDP) accountant for the sampled Gaussian mechanism — the mechanism of DP-SGD: each
/// record enters a step's lot independently with probability q (Poisson sampling), the summed, per-record clipped
/// gradient gets Gaussian noise of standard deviation σ times the clipping norm.
/// <para>
/// RDP of one step at order α (Mironov, Talwar, Zhang, "Rényi Differential Privacy of the Sampled Gaussian
/// Mechanism", 2019, arXiv 1908.10530, Section 3.3): ε_α = log(A_α) / (α − 1) with
/// A_α = E_{z∼N(0,σ²)}[((1 − q) + q·exp((2z − 1) / (2σ²)))^α]. For integer α the binomial expansion is finite:
/// A_α = Σ_{k=0}^{α} C(α, k) (1 − q)^{α−k} q^k exp((k² − k) / (2σ²)). For fractional α the integral is split at
/// z₀ = σ² log(1/q − 1) + 1/2 and each part expanded into a convergent series of Gaussian tails (erfc). Everything is
/// summed in log space. Without subsampling (q = 1) the Gaussian mechanism's closed form α / (2σ²) is used.
/// </para>
/// <para>
/// Composition: RDP adds up over steps at each order. Conversion to (ε, δ): the improved bound of Balle, Barthe,
/// Gaboardi, Hsu, Sato (AISTATS 2020, Theorem 21) ε = r_α + log1p(−1/α) − log(δ·α) / (α − 1), minimised over the
/// orders.
/// </para>
/// An instance records the steps of a run (possibly with several sampling rates and noise levels); the static
/// members answer one-off questions.
/// </summary>
public sealed class RdpAccountant
{
    private readonly double[] _orders;
    private readonly double[] _rdp;

    /// <summary>An empty accountant over <paramref name="orders"/> (each &gt; 1; null: <see cref="DefaultOrders"/>).</summary>
    public RdpAccountant(IReadOnlyList<double>? orders = null)
    {
        _orders = CheckOrders(orders ?? DefaultOrders);
        _rdp = new double[_orders.Length];
    }

    /// <summary>
    /// The default Rényi orders: 1.1 to 10.9 in steps of 0.1, the integers 11 to 63, and 128, 256, 512, 1024 (the grid
    /// of TensorFlow Privacy and Opacus, with large orders added for very small ε).
    /// </summary>
    public static IReadOnlyList<double> DefaultOrders { get; } =
        Enumerable.Range(1, 99).Select(x => 1 + x / 10.0).Concat(Enumerable.Range(11, 53).Select(x => (double)x)).Concat([128.0, 256, 512, 1024]).ToArray();

    /// <summary>The orders this accountant tracks.</summary>
    public IReadOnlyList<double> Orders => _orders;

    /// <summary>The accumulated RDP at each of <see cref="Orders"/>.</summary>
    public IReadOnlyList<double> Rdp => _rdp;

    /// <summary>The number of steps recorded so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Records <paramref name="steps"/> steps of the sampled Gaussian mechanism with sampling rate <paramref name="samplingRate"/> and noise multiplier <paramref name="noiseMultiplier"/>.</summary>
    public void Step(double samplingRate, double noiseMultiplier, long steps = 1)
    {
        var perStep = SampledGaussianRdp(samplingRate, noiseMultiplier, 1, _orders);
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be non-negative.");
        if (steps == 0) return; // zero steps add nothing (not ∞ · 0 where σ = 0)
        for (var i = 0; i < _rdp.Length; i++) _rdp[i] += perStep[i] * steps;
        Steps += steps;
    }

    /// <summary>The (ε, δ) guarantee of the steps recorded so far.</summary>
    public PrivacySpent GetPrivacySpent(double delta) => GetPrivacySpent(_orders, _rdp, delta);

    /// <summary>
    /// The RDP of one step of the sampled Gaussian mechanism at order <paramref name="order"/> (&gt; 1): sampling
    /// rate q in [0, 1], noise multiplier σ (noise standard deviation over the sensitivity) &gt; 0.
    /// </summary>
    public static double SampledGaussianRdp(double samplingRate, double noiseMultiplier, double order)
    {
        Guard.InRange(samplingRate, 0, 1, nameof(samplingRate));
        if (!(noiseMultiplier >= 0) || double.IsNaN(noiseMultiplier))
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "noiseMultiplier must be non-negative.");
        if (!(order > 1)) throw new ArgumentOutOfRangeException(nameof(order), order, "order must be greater than 1.");
        var q = samplingRate;
        var sigma = noiseMultiplier;
        if (q == 0) return 0;
        if (sigma == 0 || double.IsPositiveInfinity(order)) return double.PositiveInfinity;
        if (double.IsPositiveInfinity(sigma)) return 0;
        if (q == 1) return order / (2 * sigma * sigma);
        var logA = order == Math.Floor(order) && order <= int.MaxValue
            ? LogAInteger(q, sigma, (int)order)
            : LogAFractional(q, sigma, order);
        // The RDP of the sampled Gaussian is non-negative; a negative value is rounding of log A ≈ 0 (tiny q or huge σ).
        return Math.Max(0, logA / (order - 1));
    }

    /// <summary>The RDP of <paramref name="steps"/> composed steps at each of <paramref name="orders"/>.</summary>
    public static double[] SampledGaussianRdp(double samplingRate, double noiseMultiplier, long steps, IReadOnlyList<double> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be non-negative.");
        var result = new double[orders.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var r = SampledGaussianRdp(samplingRate, noiseMultiplier, orders[i]);
            result[i] = steps == 0 ? 0 : r * steps;
        }
        return result;
    }

    /// <summary>
    /// Converts RDP values <paramref name="rdp"/> at <paramref name="orders"/> to (ε, δ): the smallest
    /// r_α + log1p(−1/α) − log(δ·α) / (α − 1) over the orders (at least 0).
    /// </summary>
    public static PrivacySpent GetPrivacySpent(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(rdp);
        if (orders.Count != rdp.Count) throw new ArgumentException($"orders has {orders.Count} entries but rdp {rdp.Count}.", nameof(rdp));
        if (orders.Count == 0) throw new ArgumentException("At least one order is needed.", nameof(orders));
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must lie in (0, 1).");
        var best = (Epsilon: double.PositiveInfinity, Order: double.NaN);
        for (var i = 0; i < orders.Count; i++)
        {
            var a = orders[i];
            if (!(a > 1)) throw new ArgumentOutOfRangeException(nameof(orders), a, "Every order must be greater than 1.");
            if (double.IsNaN(rdp[i]) || rdp[i] < 0) throw new ArgumentOutOfRangeException(nameof(rdp), rdp[i], "RDP values must be non-negative.");
            var eps = rdp[i] + Math.Log(1 - 1 / a) - (Math.Log(delta) + Math.Log(a)) / (a - 1);
            if (eps < best.Epsilon) best = (eps, a);
        }
        if (double.IsNaN(best.Order)) best.Order = orders[^1];
        return new PrivacySpent(Math.Max(0, best.Epsilon), delta, best.Order);
    }

    /// <summary>
    /// The (ε, δ) guarantee of <paramref name="steps"/> steps of DP-SGD with sampling rate <paramref name="samplingRate"/>
    /// and noise multiplier <paramref name="noiseMultiplier"/>.
    /// </summary>
    public static PrivacySpent Epsilon(double samplingRate, double noiseMultiplier, long steps, double delta, IReadOnlyList<double>? orders = null)
    {
        var o = CheckOrders(orders ?? DefaultOrders);
        return GetPrivacySpent(o, SampledGaussianRdp(samplingRate, noiseMultiplier, steps, o), delta);
    }

    /// <summary>
    /// The smallest noise multiplier σ (to a relative tolerance <paramref name="tolerance"/>) for which
    /// <paramref name="steps"/> steps at sampling rate <paramref name="samplingRate"/> stay within
    /// (<paramref name="targetEpsilon"/>, <paramref name="delta"/>): ε falls as σ grows, so σ is bracketed by doubling
    /// and then bisected. The σ returned always meets the target.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, or no σ up to 10⁶ meets the target.</exception>
    public static double NoiseMultiplierFor(double targetEpsilon, double samplingRate, long steps, double delta,
        IReadOnlyList<double>? orders = null, double tolerance = 1e-4)
    {
        Guard.Positive(targetEpsilon, nameof(targetEpsilon));
        Guard.InRange(samplingRate, 0, 1, nameof(samplingRate));
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive.");
        Guard.Positive(tolerance, nameof(tolerance));
        var o = CheckOrders(orders ?? DefaultOrders);
        double Eps(double sigma) => GetPrivacySpent(o, SampledGaussianRdp(samplingRate, sigma, steps, o), delta).Epsilon;
        if (samplingRate == 0) return 0;
        var floor = GetPrivacySpent(o, new double[o.Length], delta).Epsilon;
        if (targetEpsilon < floor)
            throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon,
                $"ε = {targetEpsilon} is below {floor:G4}, the smallest ε these orders convert to at δ = {delta} even with no privacy loss (zero RDP); no noise multiplier reaches it.");
        double lo = 0, hi = 1;
        while (Eps(hi) > targetEpsilon)
        {
            lo = hi;
            hi *= 2;
            if (hi > 1e6)
                throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon, $"No noise multiplier up to 1e6 reaches ε = {targetEpsilon} at δ = {delta}.");
        }
        while (hi - lo > tolerance * hi)
        {
            var mid = (lo + hi) / 2;
            if (Eps(mid) > targetEpsilon) lo = mid;
            else hi = mid;
        }
        return hi;
    }

    private static double[] CheckOrders(IReadOnlyList<double> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        if (orders.Count == 0) throw new ArgumentException("At least one order is needed.", nameof(orders));
        foreach (var a in orders)
            if (!(a > 1)) throw new ArgumentOutOfRangeException(nameof(orders), a, "Every order must be greater than 1.");
        return orders.ToArray();
    }

    /// <summary>log A_α for integer α ≥ 2: the finite binomial sum, in log space.</summary>
    private static double LogAInteger(double q, double sigma, int alpha)
    {
        var logQ = Math.Log(q);
        var log1MinusQ = Log1p(-q);
        var logA = double.NegativeInfinity;
        for (var k = 0; k <= alpha; k++)
        {
            var term = SpecialFunctions.BinomialLn(alpha, k) + k * logQ + (alpha - k) * log1MinusQ + ((double)k * k - k) / (2 * sigma * sigma);
            logA = LogAdd(logA, term);
        }
        return logA;
    }

    /// <summary>
    /// log A_α for fractional α: A_α = A₀ + A₁ with, for i = 0, 1, 2, ... and j = α − i,
    /// A₀ = Σ_i C(α, i) q^i (1 − q)^j exp((i² − i)/(2σ²)) · ½ erfc((i − z₀)/(√2 σ)) and
    /// A₁ = Σ_i C(α, i) q^j (1 − q)^i exp((j² − j)/(2σ²)) · ½ erfc((z₀ − j)/(√2 σ)), where the generalised binomial
    /// coefficients change sign past i = α. Summed until both terms fall below e^−30 past i = α.
    /// </summary>
    private static double LogAFractional(double q, double sigma, double alpha)
    {
        var logQ = Math.Log(q);
        var log1MinusQ = Log1p(-q);
        var z0 = sigma * sigma * Math.Log(1 / q - 1) + 0.5;
        var s2 = Math.Sqrt(2) * sigma;
        double a0Pos = double.NegativeInfinity, a0Neg = double.NegativeInfinity;
        double a1Pos = double.NegativeInfinity, a1Neg = double.NegativeInfinity;
        double logCoef = 0; // log |C(α, i)|
        var sign = 1;
        for (var i = 0; i < 100_000; i++)
        {
            if (i > 0)
            {
                var factor = (alpha - (i - 1)) / i;
                if (factor == 0) break;
                if (factor < 0) sign = -sign;
                logCoef += Math.Log(Math.Abs(factor));
            }
            var j = alpha - i;
            var logS0 = logCoef + i * logQ + j * log1MinusQ + ((double)i * i - i) / (2 * sigma * sigma) + Math.Log(0.5) + LogErfc((i - z0) / s2);
            var logS1 = logCoef + j * logQ + i * log1MinusQ + (j * j - j) / (2 * sigma * sigma) + Math.Log(0.5) + LogErfc((z0 - j) / s2);
            if (sign > 0)
            {
                a0Pos = LogAdd(a0Pos, logS0);
                a1Pos = LogAdd(a1Pos, logS1);
            }
            else
            {
                a0Neg = LogAdd(a0Neg, logS0);
                a1Neg = LogAdd(a1Neg, logS1);
            }
            if (i > alpha && Math.Max(logS0, logS1) < -30) break;
        }
        return LogSub(LogAdd(a0Pos, a1Pos), LogAdd(a0Neg, a1Neg));
    }

    /// <summary>log(e^a + e^b).</summary>
    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        var (hi, lo) = a >= b ? (a, b) : (b, a);
        return hi + Log1p(Math.Exp(lo - hi));
    }

    /// <summary>log(e^a − e^b) for a ≥ b.</summary>
    private static double LogSub(double a, double b)
    {
        if (double.IsNegativeInfinity(b)) return a;
        if (b >= a)
            throw new ArithmeticException("The RDP series lost its precision (a negative sum); use other orders.");
        return a + Math.Log(-Expm1(b - a));
    }

    /// <summary>log(1 + x), accurate for small x (Kahan's correction of log(1 + x)).</summary>
    internal static double Log1p(double x)
    {
        var u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>e^x − 1, accurate for small x (Kahan's correction of exp(x) − 1).</summary>
    internal static double Expm1(double x)
    {
        var u = Math.Exp(x);
        if (u == 1) return x;
        var um1 = u - 1;
        return um1 == -1 ? -1 : um1 * x / Math.Log(u);
    }

    /// <summary>log erfc(x), accurate also where erfc(x) underflows (asymptotic expansion for x ≥ 20).</summary>
    internal static double LogErfc(double x)
    {
        if (x < 20) return Math.Log(SpecialFunctions.Erfc(x));
        // erfc(x) = e^{−x²} / (x√π) · (1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶) + 105/(16x⁸) − ...)
        var r = 1 / (2 * x * x);
        var series = 1 - r + 3 * r * r - 15 * r * r * r + 105 * r * r * r * r;
        return -x * x - Math.Log(x) - 0.5 * Math.Log(Math.PI) + Math.Log(series);
    }
}
