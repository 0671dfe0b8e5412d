namespace NeuralShield.Learnability;

/// <summary>
/// The Speck32/64 block cipher (Beaulieu et al., "The SIMON and SPECK Families of Lightweight Block Ciphers", 2013):
/// 16-bit words, rotations 7 and 2, 22 rounds in full; here with any number of rounds (Gohr, CRYPTO 2019).
/// </summary>
internal static class Speck32
{
    private static ushort RotateRight(ushort x, int r) => (ushort)((x >> r) | (x << (16 - r)));

    private static ushort RotateLeft(ushort x, int r) => (ushort)((x << r) | (x >> (16 - r)));

    private static (ushort X, ushort Y) Round(ushort x, ushort y, ushort k)
    {
        x = (ushort)((RotateRight(x, 7) + y) ^ k);
        y = (ushort)(RotateLeft(y, 2) ^ x);
        return (x, y);
    }

    /// <summary>The round keys of the 64-bit key (k₃, k₂, k₁, k₀) as words, k₀ the first round key.</summary>
    public static ushort[] ExpandKey(ushort k3, ushort k2, ushort k1, ushort k0, int rounds)
    {
        var keys = new ushort[rounds];
        var l = new List<ushort> { k1, k2, k3 };
        keys[0] = k0;
        for (var i = 0; i < rounds - 1; i++)
        {
            var (li, ki) = Round(l[i], keys[i], (ushort)i);
            l.Add(li);
            keys[i + 1] = ki;
        }
        return keys;
    }

    /// <summary>Encrypts the block (x, y) (x the left word) with the round keys.</summary>
    public static (ushort X, ushort Y) Encrypt(ushort x, ushort y, IReadOnlyList<ushort> keys)
    {
        foreach (var k in keys) (x, y) = Round(x, y, k);
        return (x, y);
    }
}
