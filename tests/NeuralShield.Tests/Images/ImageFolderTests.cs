using NeuralShield.Attacks.Evasion;
using NeuralShield.Audit;
using NeuralShield.Images;
using NeuralShield.Models;
using NeuralShield.Tests.Data;
using NeuralShield.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralShield.Tests.Images;

public class ImageFolderTests
{
    /// <summary>A one-colour image of <paramref name="width"/>×<paramref name="height"/>, saved as PNG or JPEG by its extension.</summary>
    private static void Write(string path, int width, int height, Rgb24 colour)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height, colour);
        image.Save(path);
    }

    /// <summary>Three classes of one-colour images of mixed sizes: red and blue PNGs, green JPEGs.</summary>
    private static TempDir Tree()
    {
        var dir = new TempDir();
        var sizes = new[] { (20, 30), (40, 40), (9, 17), (64, 12) };
        for (var i = 0; i < 12; i++)
        {
            var (w, h) = sizes[i % sizes.Length];
            Write(dir.File($"red/{i}.png"), w, h, new Rgb24(200, 10, 30));
            Write(dir.File($"blue/{i}.png"), h, w, new Rgb24(20, 40, 220));
        }
        for (var i = 0; i < 4; i++) Write(dir.File($"green/{i}.jpg"), 30 + i, 25, new Rgb24(0, 255, 0));
        System.IO.File.WriteAllText(dir.File("red/notes.txt"), "not an image, ignored");
        return dir;
    }

    [Fact]
    public void Pngs_and_jpegs_of_mixed_sizes_load_resized_with_folder_labels()
    {
        using var dir = Tree();
        using var data = ImageFolder.Load(dir.Path, [3, 8, 8]);
        Assert.Equal(new long[] { 28, 3, 8, 8 }, data.Features.shape);
        Assert.Equal(["blue", "green", "red"], data.ClassNames);
        Assert.Equal(new long[] { 12, 4, 12 }, data.ClassCounts());
        // A one-colour image stays that colour when resized: the first blue sample's planes are 20, 40, 220 over 255.
        Assert.Equal(0, data.Labels[0].item<long>());
        Assert.Equal(20 / 255f, data.Features[0, 0, 3, 3].item<float>(), 1e-6f);
        Assert.Equal(220 / 255f, data.Features[0, 2, 7, 0].item<float>(), 1e-6f);
        using var gray = ImageFolder.Load(dir.Path, [1, 5, 6]);
        Assert.Equal(new long[] { 28, 1, 5, 6 }, gray.Features.shape);
        Assert.Equal((0.299f * 200 + 0.587f * 10 + 0.114f * 30) / 255f, gray.Features[27, 0, 2, 2].item<float>(), 1e-5f);
    }

    [Fact]
    public void The_loaded_images_audit()
    {
        using var dir = Tree();
        using var data = ImageFolder.Load(dir.Path, [3, 8, 8]);
        var module = ModelZoo.Mlp(3 * 8 * 8, [16], 3, Activation.ReLU, 1);
        new Trainer(new TrainingOptions { Epochs = 20, BatchSize = 8, LearningRate = 1e-2, Seed = 1 }).Fit(module, data);
        using var model = new TorchClassifier(module, 3, InputBounds.Unit, data.SampleShape, ownsModule: true);
        var entry = AuditEntry.Evasion(new Fgsm(new FgsmOptions { Epsilon = 0.3 }), "eps=0.3").Named("fgsm-0.3");
        var report = new Auditor(new AuditOptions { Entries = [entry] }).Run([new AuditTarget("mlp", model)], data, data);
        Assert.Equal(1.0, report.Models[0].CleanAccuracy);
        var record = Assert.Single(report.Results);
        Assert.Null(record.Error);
        Assert.Equal(28, record.Evasion!.Value.SampleCount);
        Assert.Equal(6, record.Examples!.Count);
    }

    [Fact]
    public void One_class_an_unreadable_image_an_empty_class_and_a_bad_shape_are_refused()
    {
        using var one = new TempDir();
        Write(one.File("only/a.png"), 4, 4, new Rgb24(1, 2, 3));
        Assert.Contains("('only')", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(one.Path, [3, 4, 4])).Message);

        using var broken = Tree();
        var bad = broken.WriteText("blue/broken.png", "this is not a PNG");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(broken.Path, [3, 4, 4]));
        Assert.Contains(bad, e.Message);

        using var empty = Tree();
        Directory.CreateDirectory(empty.File("yellow"));
        Assert.Contains("yellow", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(empty.Path, [3, 4, 4])).Message);

        Assert.Equal("sampleShape", Assert.Throws<ArgumentException>(() => ImageFolder.Load(empty.Path, [2, 4, 4])).ParamName);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(empty.File("absent"), [3, 4, 4]));
    }
}
