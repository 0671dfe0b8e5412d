using NeuralShield.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace NeuralShield.Images;

/// <summary>
/// Images in a class-per-folder tree (<c>root/cat/*.png</c>, <c>root/dog/*.jpg</c>, as torchvision's ImageFolder and
/// ML.NET's samples lay them out) as a labelled data set: each sub-folder of the root is a class, in ordinal order of
/// its name; each PNG, JPEG, BMP or GIF file in it (its first frame) is decoded by SixLabors.ImageSharp, resized to the
/// model's input by stretching (bicubic), and scaled to [0, 1] — RGB planes for 3 channels, luminance for 1.
/// </summary>
public static class ImageFolder
{
    /// <summary>The file extensions read (any case); other files are ignored.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif"];

    /// <summary>Loads the tree at <paramref name="root"/> as samples of shape <paramref name="sampleShape"/>.</summary>
    /// <param name="root">The folder whose sub-folders are the classes.</param>
    /// <param name="sampleShape">The model's input per sample: [channels, height, width] with 1 or 3 channels.</param>
    /// <returns>Features float32 [N, C, H, W] in [0, 1], labels the class folder's index; class names the folder names.</returns>
    /// <exception cref="ArgumentException"><paramref name="sampleShape"/> is not [1 or 3, height, width] with positive sizes.</exception>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// Fewer than two class folders, a class folder without an image, or a file that is not a readable image (the message
    /// names it).
    /// </exception>
    public static LabeledData Load(string root, IReadOnlyList<long> sampleShape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count != 3 || sampleShape[0] is not (1 or 3) || sampleShape[1] <= 0 || sampleShape[2] <= 0 || sampleShape[1] > 4096 || sampleShape[2] > 4096)
            throw new ArgumentException(
                $"sampleShape [{string.Join(", ", sampleShape)}] is not [channels, height, width] with 1 or 3 channels and sides of 1 to 4096 pixels.", nameof(sampleShape));
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"The image folder '{root}' does not exist.");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2)
            throw new InvalidDataException(
                $"The image folder '{root}' has {classes.Length} class folder(s){(classes.Length == 1 ? $" ('{classes[0]}')" : "")}; a data set needs at least 2 (one sub-folder of images per class).");
        var files = new List<(string Path, int Label)>();
        for (var c = 0; c < classes.Length; c++)
        {
            var images = Directory.GetFiles(Path.Combine(root, classes[c]))
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToArray();
            if (images.Length == 0)
                throw new InvalidDataException($"The class folder '{Path.Combine(root, classes[c])}' holds no image ({string.Join(", ", Extensions)}).");
            files.AddRange(images.Select(f => (f, c)));
        }
        var (channels, height, width) = ((int)sampleShape[0], (int)sampleShape[1], (int)sampleShape[2]);
        var plane = height * width;
        var pixels = new float[checked(files.Count * channels * plane)];
        for (var i = 0; i < files.Count; i++)
            Decode(files[i].Path, width, height, channels, pixels.AsSpan(i * channels * plane, channels * plane));
        var x = tensor(pixels, [files.Count, channels, height, width]);
        var y = tensor(files.Select(f => (long)f.Label).ToArray(), [files.Count]);
        try
        {
            return new LabeledData(x, y, classes.Length, classes);
        }
        catch
        {
            x.Dispose();
            y.Dispose();
            throw;
        }
    }

    private static void Decode(string path, int width, int height, int channels, Span<float> destination)
    {
        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(path);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or IOException)
        {
            throw new InvalidDataException($"'{path}' is not a readable image: {e.Message}", e);
        }
        using (image)
        {
            image.Mutate(op => op.Resize(new ResizeOptions { Size = new SixLabors.ImageSharp.Size(width, height), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Bicubic }));
            var rgb = new Rgb24[width * height];
            image.CopyPixelDataTo(rgb);
            var plane = width * height;
            for (var p = 0; p < plane; p++)
            {
                var px = rgb[p];
                if (channels == 1)
                {
                    // ITU-R BT.601 luma, as ImageSharp's L8 conversion.
                    destination[p] = (0.299f * px.R + 0.587f * px.G + 0.114f * px.B) / 255f;
                }
                else
                {
                    destination[p] = px.R / 255f;
                    destination[plane + p] = px.G / 255f;
                    destination[2 * plane + p] = px.B / 255f;
                }
            }
        }
    }
}
