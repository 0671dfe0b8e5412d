namespace NeuralShield.Learnability;

/// <summary>
/// The Berlekamp–Massey algorithm over GF(2): the shortest linear feedback shift register that generates a bit
/// sequence. A register of length L is determined by 2L consecutive output bits — the algebraic attack a learned
/// predictor of an LFSR is compared with.
/// </summary>
public static class BerlekampMassey
{
    /// <summary>
    /// The linear complexity L of <paramref name="bits"/> (0/1 values) and the connection polynomial
    /// C(x) = 1 + c₁x + … + c_L x^L (coefficients c₀..c_L) with s_n = c₁s_{n−1} ⊕ … ⊕ c_L s_{n−L} for every n ≥ L.
    /// </summary>
    /// <exception cref="ArgumentException">A value other than 0 or 1.</exception>
    public static (int Length, int[] Connection) Solve(IReadOnlyList<int> bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        if (bits.Any(b => b is not (0 or 1))) throw new ArgumentException($"{nameof(bits)} must hold only 0 and 1.", nameof(bits));
        var n = bits.Count;
        var c = new int[n + 1];
        var b = new int[n + 1];
        c[0] = b[0] = 1;
        int length = 0, m = -1;
        for (var i = 0; i < n; i++)
        {
            var discrepancy = bits[i];
            for (var j = 1; j <= length; j++) discrepancy ^= c[j] & bits[i - j];
            if (discrepancy == 0) continue;
            var previous = (int[])c.Clone();
            for (var j = 0; j + i - m <= n; j++) c[j + i - m] ^= b[j];
            if (2 * length <= i)
            {
                length = i + 1 - length;
                m = i;
                b = previous;
            }
        }
        return (length, c[..(length + 1)]);
    }
}
