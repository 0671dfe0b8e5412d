using NeuralShield.Learnability;

namespace NeuralShield.Tests.Learnability;

public class LearnabilityTargetsTests
{
    [Fact]
    public void Speck32MatchesThePublishedTestVector()
    {
        // Beaulieu et al. 2013, Appendix C: Speck32/64 key 1918 1110 0908 0100, plaintext 6574 694c → ciphertext a868 42f2.
        var keys = Speck32.ExpandKey(0x1918, 0x1110, 0x0908, 0x0100, 22);
        Assert.Equal(((ushort)0xa868, (ushort)0x42f2), Speck32.Encrypt(0x6574, 0x694c, keys));
    }

    [Fact]
    public void BerlekampMasseyFindsTheShortestRegister()
    {
        // s_n = s_{n−1} ⊕ s_{n−2}: 1 1 0 1 1 0 … → L = 2, C(x) = 1 + x + x².
        var (shortLength, shortConnection) = BerlekampMassey.Solve([1, 1, 0, 1, 1, 0, 1, 1]);
        Assert.Equal(2, shortLength);
        Assert.Equal([1, 1, 1], shortConnection);
        // A 16-bit register with taps 16, 14, 13, 11 (x^16 + x^14 + x^13 + x^11 + 1, primitive): 2L = 32 bits determine it.
        int[] taps = [16, 14, 13, 11];
        var bits = new List<int> { 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1 };
        while (bits.Count < 32) bits.Add(taps.Aggregate(0, (acc, t) => acc ^ bits[^t]));
        var (length, connection) = BerlekampMassey.Solve(bits);
        Assert.Equal(16, length);
        Assert.Equal(Enumerable.Range(0, 17).Select(i => i == 0 || taps.Contains(i) ? 1 : 0), connection);
        Assert.Throws<ArgumentException>(() => BerlekampMassey.Solve([0, 2]));
    }

    [Fact]
    public void LfsrTargetAnswersTheRegistersFeedback()
    {
        var target = LearnabilityTargets.LfsrNextBit([4, 3]);
        var (inputs, outputs) = target.Draw(50, new Random(1));
        for (var i = 0; i < inputs.Length; i++)
        {
            // Oldest first: s_{n−4} s_{n−3} s_{n−2} s_{n−1}; s_n = s_{n−4} ⊕ s_{n−3}.
            Assert.Equal(((int)inputs[i][0]) ^ ((int)inputs[i][1]), outputs[i][0]);
            Assert.Contains(inputs[i], v => v == 1);
        }
    }

    [Fact]
    public void SpeckPairsOfLabelOneKeepTheirDifferenceForOneRound()
    {
        // After one round the left-word difference 0x0040 becomes (0x0040 >>> 7) = 0x8000 through the modular addition's
        // top bit (no carry out of bit 15), and the right-word difference is (0 <<< 2) ⊕ 0x8000 = 0x8000.
        var (inputs, outputs) = LearnabilityTargets.SpeckDistinguisher(1).Draw(200, new Random(2));
        for (var i = 0; i < inputs.Length; i++)
        {
            if (outputs[i][0] == 0) continue;
            int Word(int w) => Enumerable.Range(0, 16).Aggregate(0, (acc, b) => (acc << 1) | (int)inputs[i][w * 16 + b]);
            Assert.Equal(0x8000, Word(0) ^ Word(2));
            Assert.Equal(0x8000, Word(1) ^ Word(3));
        }
    }

    [Fact]
    public void CsvPairsAreReadWithHeaderAndLabelColumn()
    {
        var path = Path.Combine(Path.GetTempPath(), $"learnability-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "a,b,digit\n0.5,1,3\n-1,2e1,7\n");
            var target = LearnabilityTarget.FromCsv(path);
            Assert.Equal((2, 1, 8, 2), (target.InputWidth, target.OutputWidth, target.ClassCount, target.PairCount));
            var (inputs, outputs) = target.Shuffled(new Random(0));
            Assert.Contains(inputs, x => x.SequenceEqual([-1f, 20f]));
            Assert.Equal(7, outputs[Array.FindIndex(inputs, x => x[0] == -1f)][0]);
            File.WriteAllText(path, "0.5,1,3\n1,x,2\n");
            Assert.Contains("line 2", Assert.Throws<FormatException>(() => LearnabilityTarget.FromCsv(path)).Message);
            File.WriteAllText(path, "0.5,1,3\n1,2,-1\n");
            Assert.Contains("not a non-negative integer", Assert.Throws<FormatException>(() => LearnabilityTarget.FromCsv(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
