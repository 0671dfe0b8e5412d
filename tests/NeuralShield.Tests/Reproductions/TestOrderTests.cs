using NeuralShield.Data;
using NeuralShield.Reproductions;

namespace NeuralShield.Tests.Reproductions;

/// <summary>
/// <see cref="ReproductionContext.TestOrder"/>: the reproductions' "first N test images" come from a seeded permutation of
/// the whole test set, located here image by image in the file by exact comparison of pixels.
/// </summary>
public sealed class TestOrderTests
{
    private const int N = 40;

    [Fact]
    public void WithoutAnOrderTheFirstImagesOfTheFileAreTaken()
    {
        using var all = Mnist.Load(SharedData.Mnist, MnistSplit.Test);
        Assert.Equal(Enumerable.Range(0, N), PositionsInFile(Take(null), all));
    }

    [Fact]
    public void AnOrderTakesDistinctImagesFromTheWholeFileTheSameWayForTheSameSeed()
    {
        using var all = Mnist.Load(SharedData.Mnist, MnistSplit.Test);
        var first = PositionsInFile(Take(5), all);
        Assert.Equal(N, first.Distinct().Count());
        Assert.True(first.Count(p => p >= N) > N / 2, $"positions {string.Join(",", first)} stay near the start of the file");
        Assert.True(first.Max() > all.Count / 2, "the permutation never reaches the second half of the test set");
        Assert.Equal(first, PositionsInFile(Take(5), all));
        Assert.NotEqual(first, PositionsInFile(Take(6), all));
    }

    private static LabeledData Take(long? order)
    {
        var context = new ReproductionContext(SharedData.Mnist, Samples: N, Seed: 0, Device: TorchSharp.torch.CPU, CacheDirectory: Path.GetTempPath(),
            Log: TextWriter.Null, TrainSamples: 100, TestOrder: order);
        var (train, test) = ExperimentData.Mnist(context, defaultSamples: 1000);
        train.Dispose();
        return test;
    }

    /// <summary>Where each taken image stands in the file, found by comparing pixels and label with every file image.</summary>
    private static List<int> PositionsInFile(LabeledData taken, LabeledData all)
    {
        using (taken)
        {
            var file = all.Features.reshape(all.Count, -1).data<float>().ToArray();
            var fileLabels = all.Labels.data<long>().ToArray();
            var mine = taken.Features.reshape(taken.Count, -1).data<float>().ToArray();
            var labels = taken.Labels.data<long>().ToArray();
            var width = file.Length / all.Count;
            var positions = new List<int>();
            for (var i = 0; i < taken.Count; i++)
            {
                var row = mine.AsSpan(i * width, width);
                var found = -1;
                for (var j = 0; j < all.Count && found < 0; j++)
                    if (fileLabels[j] == labels[i] && file.AsSpan(j * width, width).SequenceEqual(row)) found = j;
                positions.Add(found);
            }
            return positions;
        }
    }
}
