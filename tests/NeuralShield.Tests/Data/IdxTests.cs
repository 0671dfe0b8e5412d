using System.Diagnostics;
using NeuralShield.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Data;

public class IdxTests
{
    private static string MnistFile(string name) => Path.Combine(SharedData.Mnist, name);

    [Fact]
    public void Mnist_test_split_has_10000_images_in_unit_range_and_first_label_7()
    {
        using var data = Mnist.Load(SharedData.Mnist, MnistSplit.Test);
        Assert.Equal(10_000, data.Count);
        Assert.Equal(new long[] { 10_000, 1, 28, 28 }, data.Features.shape);
        Assert.Equal(ScalarType.Float32, data.Features.dtype);
        Assert.Equal(ScalarType.Int64, data.Labels.dtype);
        Assert.Equal(0f, data.Features.min().item<float>());
        Assert.Equal(1f, data.Features.max().item<float>());
        Assert.Equal(7L, data.Labels[0].item<long>());
        Assert.Equal(10, data.ClassCount);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), data.ClassNames);
        Assert.Equal(10_000L, data.ClassCounts().Sum());
        Assert.All(data.ClassCounts(), c => Assert.True(c > 800));
    }

    [Fact]
    public void Mnist_train_split_falls_back_to_the_first_10k_pair()
    {
        // The shared folder holds all 60,000 training labels but only the first 10,000 images:
        // the loader must pair the first-10k images with the first-10k labels.
        var (images, labels) = Mnist.FindFiles(SharedData.Mnist, MnistSplit.Train);
        Assert.EndsWith("train-first10k-images-idx3-ubyte.gz", images);
        Assert.EndsWith("train-first10k-labels-idx1-ubyte.gz", labels);
        using var data = Mnist.Load(SharedData.Mnist, MnistSplit.Train);
        Assert.Equal(10_000, data.Count);
        Assert.Equal(new long[] { 10_000, 1, 28, 28 }, data.Features.shape);
        Assert.Equal(5L, data.Labels[0].item<long>()); // the first MNIST training digit is a 5
    }

    [Fact]
    public void The_full_training_label_file_holds_60000_labels()
    {
        using var labels = Idx.ReadLabels(MnistFile("train-labels-idx1-ubyte.gz"));
        Assert.Equal(new long[] { 60_000 }, labels.shape);
        using var first = Idx.ReadLabels(MnistFile("train-first10k-labels-idx1-ubyte.gz"));
        Assert.Equal(first.data<long>().ToArray(), labels.narrow(0, 0, 10_000).data<long>().ToArray());
    }

    [Fact]
    public void Ten_thousand_images_load_with_their_pixels_scaled_to_the_unit_box()
    {
        var path = MnistFile("t10k-images-idx3-ubyte.gz");
        using var images = Idx.ReadImages(path);
        Assert.Equal(new long[] { 10_000, 1, 28, 28 }, images.shape);
        Assert.Equal(ScalarType.Float32, images.dtype);
        Assert.Equal(0f, images.min().item<float>());
        Assert.Equal(1f, images.max().item<float>());
    }

    [Fact]
    public void Compression_is_detected_by_content_not_by_name()
    {
        using var dir = new TempDir();
        var raw = TestFiles.Gunzip(File.ReadAllBytes(MnistFile("t10k-labels-idx1-ubyte.gz")));
        var rawNamedGz = dir.Write("raw.gz", raw);
        var gzipNamedRaw = dir.Copy(MnistFile("t10k-labels-idx1-ubyte.gz"), "labels.idx");
        using var a = Idx.ReadLabels(rawNamedGz);
        using var b = Idx.ReadLabels(gzipNamedRaw);
        Assert.Equal(new long[] { 10_000 }, a.shape);
        Assert.Equal(a.data<long>().ToArray(), b.data<long>().ToArray());
    }

    [Fact]
    public void Pixels_are_scaled_by_255_and_laid_out_row_major()
    {
        using var dir = new TempDir();
        var images = dir.Write("img", TestFiles.IdxImages(2, 2, 3, i => (byte)(i * 20)));
        var labels = dir.Write("lbl", TestFiles.IdxLabels(1, 0));
        using var data = Idx.Load(images, labels, classCount: 2);
        Assert.Equal(new long[] { 2, 1, 2, 3 }, data.Features.shape);
        var values = data.Features.data<float>().ToArray();
        for (var i = 0; i < values.Length; i++) Assert.Equal(i * 20 / 255f, values[i]);
        Assert.Equal(new long[] { 1, 0 }, data.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Bad_magic_is_rejected_naming_the_file()
    {
        using var dir = new TempDir();
        var bytes = TestFiles.IdxImages(1, 2, 2);
        bytes[3] = 0x04; // 4 dimensions
        var path = dir.Write("bad-magic", bytes);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x00000804", e.Message);

        var labels = dir.Write("images-as-labels", TestFiles.IdxImages(1, 2, 2));
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(labels));
        Assert.Contains(labels, e.Message);
    }

    [Fact]
    public void A_non_byte_data_type_is_rejected()
    {
        using var dir = new TempDir();
        var bytes = TestFiles.IdxLabels(1, 2);
        bytes[2] = 0x0D; // float32
        var path = dir.Write("floats", bytes);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x0D", e.Message);
    }

    [Fact]
    public void Truncated_raw_file_is_rejected_naming_the_file()
    {
        using var dir = new TempDir();
        var full = TestFiles.IdxImages(3, 4, 4);
        var path = dir.Write("truncated", full[..^5]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);

        var header = dir.Write("short-header", full[..10]);
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(header));
        Assert.Contains(header, e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        using var dir = new TempDir();
        var path = dir.Write("long", [.. TestFiles.IdxLabels(1, 2), 0]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    [InlineData(-4)] // only the trailer's size field missing
    [InlineData(-8)] // the whole trailer missing: the deflate data is complete
    [InlineData(12)]
    public void Truncated_gzip_is_rejected_naming_the_file(double cut)
    {
        using var dir = new TempDir();
        var gz = File.ReadAllBytes(MnistFile("t10k-labels-idx1-ubyte.gz"));
        var length = cut switch { < 0 => gz.Length + (int)cut, < 1 => (int)(gz.Length * cut), _ => (int)cut };
        var path = dir.Write("cut.gz", gz[..length]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void Corrupt_gzip_is_rejected_naming_the_file()
    {
        using var dir = new TempDir();
        var gz = File.ReadAllBytes(MnistFile("t10k-labels-idx1-ubyte.gz"));
        for (var i = 100; i < 200; i++) gz[i] ^= 0x5A;
        var path = dir.Write("corrupt.gz", gz);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Image_and_label_counts_must_match()
    {
        using var dir = new TempDir();
        var images = dir.Write("images", TestFiles.IdxImages(3, 2, 2));
        var labels = dir.Write("labels", TestFiles.IdxLabels(0, 1));
        var e = Assert.Throws<InvalidDataException>(() => Idx.Load(images, labels));
        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void Labels_outside_the_classes_are_rejected()
    {
        using var dir = new TempDir();
        var images = dir.Write("images", TestFiles.IdxImages(3, 2, 2));
        var labels = dir.Write("labels", TestFiles.IdxLabels(0, 10, 1));
        var e = Assert.Throws<InvalidDataException>(() => Idx.Load(images, labels, classCount: 10));
        Assert.Contains(labels, e.Message);
        Assert.Contains("index 1", e.Message);
        using var ok = Idx.Load(images, labels, classCount: 11);
        Assert.Equal(3, ok.Count);
    }

    [Fact]
    public void Empty_file_is_rejected_naming_the_file()
    {
        using var dir = new TempDir();
        var path = dir.Write("empty", []);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty", e.Message);
        var gz = dir.Write("empty.gz", TestFiles.Gzip([]));
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(gz));
        Assert.Contains(gz, e.Message);
    }

    [Fact]
    public void A_dataset_without_samples_is_rejected()
    {
        using var dir = new TempDir();
        var images = dir.Write("images", TestFiles.IdxImages(0, 28, 28));
        var labels = dir.Write("labels", TestFiles.IdxLabels());
        using (var empty = Idx.ReadImages(images)) Assert.Equal(new long[] { 0, 1, 28, 28 }, empty.shape);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Load(images, labels));
        Assert.Contains(images, e.Message);
    }

    [Fact]
    public void Missing_file_throws_FileNotFound_naming_the_path()
    {
        using var dir = new TempDir();
        var path = dir.File("nope-idx3-ubyte");
        var e = Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FileName);
        var labels = dir.Write("labels", TestFiles.IdxLabels(0));
        Assert.Throws<FileNotFoundException>(() => Idx.Load(path, labels));
    }

    [Fact]
    public void Mnist_load_reports_missing_directory_and_files()
    {
        using var dir = new TempDir();
        var missing = dir.File("absent");
        var d = Assert.Throws<DirectoryNotFoundException>(() => Mnist.Load(missing, MnistSplit.Test));
        Assert.Contains(missing, d.Message);

        var f = Assert.Throws<FileNotFoundException>(() => Mnist.Load(dir.Path, MnistSplit.Test));
        Assert.Contains(dir.Path, f.Message);
        Assert.Contains("t10k-images-idx3-ubyte", f.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", f.Message);

        // Full labels alone never pair with the first-10k images.
        dir.Copy(MnistFile("train-labels-idx1-ubyte.gz"), "train-labels-idx1-ubyte.gz");
        dir.Copy(MnistFile("train-first10k-images-idx3-ubyte.gz"), "train-first10k-images-idx3-ubyte.gz");
        f = Assert.Throws<FileNotFoundException>(() => Mnist.Load(dir.Path, MnistSplit.Train));
        Assert.Contains("train-images-idx3-ubyte", f.Message);
        Assert.Contains("train-first10k-labels-idx1-ubyte", f.Message);
    }

    [Fact]
    public void Mnist_load_prefers_the_full_training_files_and_raw_names()
    {
        using var dir = new TempDir();
        dir.Write("train-images-idx3-ubyte", TestFiles.IdxImages(4, 28, 28));
        dir.Write("train-labels-idx1-ubyte.gz", TestFiles.Gzip(TestFiles.IdxLabels(9, 8, 7, 6)));
        dir.Copy(MnistFile("train-first10k-images-idx3-ubyte.gz"), "train-first10k-images-idx3-ubyte.gz");
        dir.Copy(MnistFile("train-first10k-labels-idx1-ubyte.gz"), "train-first10k-labels-idx1-ubyte.gz");
        using var data = Mnist.Load(dir.Path, MnistSplit.Train, Mnist.FashionClassNames);
        Assert.Equal(4, data.Count);
        Assert.Equal(new long[] { 9, 8, 7, 6 }, data.Labels.data<long>().ToArray());
        Assert.Equal("Ankle boot", data.ClassNames[9]);
    }

    [FashionMnistFact]
    public void Fashion_mnist_from_the_debian_package_loads()
    {
        const string fashion = FashionMnistFactAttribute.Folder;
        using var test = Mnist.Load(fashion, MnistSplit.Test, Mnist.FashionClassNames);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(new long[] { 10_000, 1, 28, 28 }, test.Features.shape);
        Assert.Equal(new long[] { 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000 }, test.ClassCounts());
        using var train = Mnist.Load(fashion, MnistSplit.Train, Mnist.FashionClassNames);
        Assert.Equal(60_000, train.Count);
    }
}
