namespace NeuralShield.Encrypted;

/// <summary>
/// CKKS encryption parameters: the polynomial modulus degree N (N/2 slots), the bit sizes of the coefficient moduli
/// (the last is the special prime of key switching; each inner one is a level a rescale uses) and the encoding scale
/// 2^<see cref="ScaleBits"/>. SEAL's check at 128-bit security decides whether they are accepted.
/// </summary>
public sealed record CkksParameters
{
    /// <summary>The parameters of TenSEAL's MNIST tutorial: N = 8192, moduli [31, 26 × 6, 31], scale 2^26 (six levels).</summary>
    public static CkksParameters TenSealMnist { get; } = new(8192, [31, 26, 26, 26, 26, 26, 26, 31], 26);

    /// <summary>Creates parameters.</summary>
    /// <exception cref="ArgumentException">N is not a power of two from 1024 to 32768, fewer than two moduli are given, a modulus is outside 20–60 bits, or the scale outside 10–59 bits.</exception>
    public CkksParameters(int polyModulusDegree, IReadOnlyList<int> coefficientModulusBits, int scaleBits)
    {
        if (polyModulusDegree < 1024 || polyModulusDegree > 32768 || (polyModulusDegree & (polyModulusDegree - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(polyModulusDegree), polyModulusDegree, "expected a power of two from 1024 to 32768");
        ArgumentNullException.ThrowIfNull(coefficientModulusBits);
        if (coefficientModulusBits.Count < 2)
            throw new ArgumentException("expected at least two coefficient moduli (data levels and the special prime)", nameof(coefficientModulusBits));
        foreach (var bits in coefficientModulusBits)
            if (bits < 20 || bits > 60)
                throw new ArgumentOutOfRangeException(nameof(coefficientModulusBits), bits, "each coefficient modulus must have 20 to 60 bits");
        if (scaleBits < 10 || scaleBits > 59) throw new ArgumentOutOfRangeException(nameof(scaleBits), scaleBits, "expected 10 to 59 bits");
        PolyModulusDegree = polyModulusDegree;
        CoefficientModulusBits = [.. coefficientModulusBits];
        ScaleBits = scaleBits;
    }

    /// <summary>The polynomial modulus degree N.</summary>
    public int PolyModulusDegree { get; }

    /// <summary>Bit sizes of the coefficient moduli, first to last (the last is the special prime).</summary>
    public IReadOnlyList<int> CoefficientModulusBits { get; }

    /// <summary>log2 of the encoding scale.</summary>
    public int ScaleBits { get; }

    /// <summary>Slots of one ciphertext: N / 2.</summary>
    public int Slots => PolyModulusDegree / 2;

    /// <summary>How many rescales a fresh ciphertext allows: the moduli less the first and the special prime.</summary>
    public int Levels => CoefficientModulusBits.Count - 2;

    /// <inheritdoc />
    public override string ToString() => $"N = {PolyModulusDegree}, moduli [{string.Join(", ", CoefficientModulusBits)}], scale 2^{ScaleBits}";
}
