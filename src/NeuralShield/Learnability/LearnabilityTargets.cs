using System.Security.Cryptography;
using NeuralShield.Defenses.Input;

namespace NeuralShield.Learnability;

/// <summary>The built-in targets of the learnability audit: secrets that should hold and secrets that do not.</summary>
public static class LearnabilityTargets
{
    /// <summary>
    /// One bit of HMAC-SHA256 under <paramref name="key"/> (.NET's implementation): the input is a random message of
    /// <paramref name="messageBits"/> bits (as 0/1 features), the output the lowest bit of the tag's first byte. A keyed
    /// pseudo-random function: no number of pairs should lift a network above chance.
    /// </summary>
    public static LearnabilityTarget HmacBit(byte[] key, int messageBits = 64)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0) throw new ArgumentException($"{nameof(key)} must not be empty.", nameof(key));
        Guard.Positive(messageBits, nameof(messageBits));
        var secret = key.ToArray();
        return LearnabilityTarget.FromOracle("hmac-sha256-bit", messageBits, 1, 2, r => RandomBits(r, messageBits), input =>
        {
            var message = new byte[(input.Length + 7) / 8];
            for (var i = 0; i < input.Length; i++)
                if (input[i] > 0.5f) message[i / 8] |= (byte)(1 << (i % 8));
            return [HMACSHA256.HashData(secret, message)[0] & 1];
        });
    }

    /// <summary>
    /// The next bit of a linear feedback shift register: the input is the register's last L bits (a random non-zero state
    /// s_{n−L}..s_{n−1}, oldest first), the output s_n = ⊕ of the bits at <paramref name="taps"/> (1-based lags: tap t
    /// reads s_{n−t}; L is the largest tap). Berlekamp–Massey recovers such a register from 2L bits.
    /// </summary>
    public static LearnabilityTarget LfsrNextBit(IReadOnlyList<int> taps)
    {
        ArgumentNullException.ThrowIfNull(taps);
        if (taps.Count == 0 || taps.Any(t => t <= 0)) throw new ArgumentException($"{nameof(taps)} must list positive lags.", nameof(taps));
        var length = taps.Max();
        var lags = taps.Distinct().ToArray();
        return LearnabilityTarget.FromOracle($"lfsr-{length}", length, 1, 2, r =>
        {
            float[] state;
            do state = RandomBits(r, length); while (state.All(b => b == 0));
            return state;
        }, input => [LfsrFeedback(input, lags)]);
    }

    /// <summary>The feedback of the register state <paramref name="window"/> (oldest first) for 1-based <paramref name="lags"/>.</summary>
    internal static int LfsrFeedback(IReadOnlyList<float> window, IReadOnlyList<int> lags)
    {
        var bit = 0;
        foreach (var t in lags) bit ^= window[window.Count - t] > 0.5f ? 1 : 0;
        return bit;
    }

    /// <summary>
    /// Gohr's real-or-random distinguisher for Speck32/64 reduced to <paramref name="rounds"/> rounds (CRYPTO 2019): with
    /// a fresh random key per pair, label 1 encrypts two plaintexts of difference (0x0040, 0x0000), label 0 two random
    /// plaintexts; the input is the two ciphertexts as 64 bits (C₀ left, C₀ right, C₁ left, C₁ right, most significant bit first).
    /// </summary>
    public static LearnabilityTarget SpeckDistinguisher(int rounds)
    {
        if (rounds is < 1 or > 22) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, $"{nameof(rounds)} must lie in [1, 22].");
        return LearnabilityTarget.FromGenerator($"speck32-{rounds}-rounds", 64, 1, 2, r =>
        {
            var label = r.Next(2);
            var keys = Speck32.ExpandKey(Word(r), Word(r), Word(r), Word(r), rounds);
            ushort x0 = Word(r), y0 = Word(r);
            ushort x1, y1;
            if (label == 1) (x1, y1) = ((ushort)(x0 ^ 0x0040), y0);
            else (x1, y1) = (Word(r), Word(r));
            var (a, b) = Speck32.Encrypt(x0, y0, keys);
            var (c, d) = Speck32.Encrypt(x1, y1, keys);
            var input = new float[64];
            var words = new[] { a, b, c, d };
            for (var w = 0; w < 4; w++)
                for (var i = 0; i < 16; i++)
                    input[w * 16 + i] = (words[w] >> (15 - i)) & 1;
            return (input, [label]);
        });
    }

    /// <summary>
    /// <paramref name="transform"/> as the secret mapping: the input is a random binary sample of its shape, the output the
    /// transformed sample's features as bits (a feature of at least 0.5 counts as 1: the transform must use the unit bounds). Reproducing
    /// every output bit from the input recovers the key's effect (the permutation and the XOR bits).
    /// </summary>
    public static LearnabilityTarget KeyedTransform(KeyedInputTransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        var features = checked((int)transform.FeatureCount);
        var shape = new long[] { 1 }.Concat(transform.SampleShape).ToArray();
        return LearnabilityTarget.FromOracle($"keyed-transform-{features}", features, features, 2, r => RandomBits(r, features), input =>
        {
            using var scope = NewDisposeScope();
            var output = transform.Transform(tensor(input).view(shape)).flatten().to_type(ScalarType.Float32).data<float>().ToArray();
            return output.Select(v => v >= 0.5f ? 1 : 0).ToArray();
        });
    }

    private static ushort Word(Random r) => (ushort)r.Next(1 << 16);

    private static float[] RandomBits(Random r, int count)
    {
        var bits = new float[count];
        for (var i = 0; i < count; i++) bits[i] = r.Next(2);
        return bits;
    }
}
