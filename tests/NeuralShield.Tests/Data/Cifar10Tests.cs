using System.IO.Compression;
using NeuralShield.Data;

namespace NeuralShield.Tests.Data;

public class Cifar10Tests
{
    /// <summary>CIFAR-10 records: label, then 1,024 red, 1,024 green and 1,024 blue bytes; pixel bytes from <paramref name="seed"/>.</summary>
    private static byte[] Batch(byte[] labels, int seed)
    {
        var bytes = new byte[labels.Length * Cifar10.RecordSize];
        for (var r = 0; r < labels.Length; r++)
        {
            bytes[r * Cifar10.RecordSize] = labels[r];
            for (var p = 1; p < Cifar10.RecordSize; p++) bytes[r * Cifar10.RecordSize + p] = (byte)((seed + 31 * r + 7 * p) % 256);
        }
        return bytes;
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(raw);
        return output.ToArray();
    }

    [Fact]
    public void Binary_batches_written_here_load_with_their_labels_and_channel_planes()
    {
        using var dir = new TempDir();
        var first = Batch([3, 0, 9], 1);
        dir.Write("data_batch_1.bin", first);
        dir.Write("data_batch_2.bin.gz", Gzip(Batch([7, 7], 2)));
        dir.Write("test_batch.bin", Batch([5], 3));
        using var train = Cifar10.Load(dir.Path, train: true);
        Assert.Equal(new long[] { 5, 3, 32, 32 }, train.Features.shape);
        Assert.Equal(new long[] { 3, 0, 9, 7, 7 }, train.Labels.data<long>().ToArray());
        Assert.Equal("cat", train.ClassNames[3]);
        // Record 1 of the first file: the green plane's row 2, column 5 is byte 1 + 1024 + 2·32 + 5 of the record.
        var expected = first[Cifar10.RecordSize + 1 + 1024 + 2 * 32 + 5] / 255f;
        Assert.Equal(expected, train.Features[1, 1, 2, 5].item<float>());
        using var test = Cifar10.Load(dir.Path, train: false);
        Assert.Equal([5L], test.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Class_names_come_from_batches_meta_when_present()
    {
        using var dir = new TempDir();
        dir.Write("test_batch.bin", Batch([0, 1], 0));
        dir.WriteText("batches.meta.txt", string.Join("\n", Enumerable.Range(0, 10).Select(i => $"class{i}")) + "\n\n");
        using var test = Cifar10.Load(dir.Path, train: false);
        Assert.Equal("class1", test.ClassNames[1]);
    }

    [Fact]
    public void Truncated_batches_labels_above_nine_and_missing_files_are_refused()
    {
        using var dir = new TempDir();
        var truncated = dir.Write("test_batch.bin", Batch([1, 2], 0)[..5000]);
        Assert.Contains("not a whole number", Assert.Throws<InvalidDataException>(() => Cifar10.Load(dir.Path, train: false)).Message);
        dir.Write("test_batch.bin", Batch([1, 12], 0));
        Assert.Contains("label 12", Assert.Throws<InvalidDataException>(() => Cifar10.Load(dir.Path, train: false)).Message);
        Assert.Contains("data_batch_1.bin", Assert.Throws<FileNotFoundException>(() => Cifar10.Load(dir.Path, train: true)).Message);
        Assert.Throws<DirectoryNotFoundException>(() => Cifar10.Load(Path.Combine(dir.Path, "absent"), train: true));
        Assert.Equal(truncated, dir.File("test_batch.bin"));
    }
}
