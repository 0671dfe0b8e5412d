using NeuralShield.Recording;

namespace NeuralShield.Tests.Recording;

public sealed class ExposureTests
{
    /// <summary>Rank by sorting: the canary's 1-based place among the candidates ordered by loss, ties counted in its favour.</summary>
    private static double Naive(double[] losses, int canary)
    {
        var sorted = losses.Select((loss, i) => (loss, i)).OrderBy(x => x.loss).ThenBy(x => x.i == canary ? 0 : 1).ToList();
        var rank = sorted.FindIndex(x => x.i == canary) + 1;
        return Math.Log(losses.Length, 2) - Math.Log(rank, 2);
    }

    [Fact]
    public void ExposureIsLog2SpaceLessLog2RankOnATinySpace()
    {
        var random = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            var size = random.Next(1, 40);
            // Few distinct values, so that ties occur.
            var losses = Enumerable.Range(0, size).Select(_ => (double)random.Next(6)).ToArray();
            var canary = random.Next(size);
            Assert.Equal(Naive(losses, canary), Exposure.Of(losses, canary), 12);
        }
        Assert.Equal(3.0, Exposure.Of([0.1, 0.5, 0.7, 0.9, 1.0, 2.0, 3.0, 4.0], 0));
        Assert.Equal(0.0, Exposure.Of([5.0, 0.5, 0.7, 0.9], 0));
    }

    [Fact]
    public void BadInputIsRefused()
    {
        Assert.Throws<ArgumentException>(() => Exposure.Of([], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Exposure.Of([1.0], 1));
        Assert.Throws<ArgumentException>(() => Exposure.Of([1.0, double.NaN], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CanarySpace(3));
    }

    [Fact]
    public void EveryCodeOfTheCanarySpaceIsADifferentImageThatShowsItsBits()
    {
        var space = new CanarySpace(8);
        var images = Enumerable.Range(0, space.Size).Select(space.Render).ToArray();
        Assert.Equal(space.Size, images.Select(i => string.Join(",", i)).Distinct().Count());
        // Lit pixels grow with the number of set bits: each bit is one block of the same size.
        var perBit = images[1].Count(p => p > 0);
        Assert.True(perBit > 0);
        for (var code = 0; code < space.Size; code++)
            Assert.Equal(System.Numerics.BitOperations.PopCount((uint)code) * perBit, images[code].Count(p => p > 0));
        using var all = space.All();
        Assert.Equal([space.Size, 1L, 28, 28], all.shape);
    }
}
