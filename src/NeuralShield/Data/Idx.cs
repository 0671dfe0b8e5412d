using System.Buffers.Binary;

namespace NeuralShield.Data;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic number
/// <c>0x000008nn</c>: unsigned bytes, <c>nn</c> dimensions; then one 32-bit size per dimension) followed by
/// the data. Files may be gzip-compressed; compression is recognised by its magic bytes, not by the name.
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an image file: unsigned bytes, 3 dimensions [N, rows, columns].</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a label file: unsigned bytes, 1 dimension [N].</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file as float32 [N, 1, rows, columns], pixels scaled to [0, 1] (value / 255).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX image file (the message names it).</exception>
    public static Tensor ReadImages(string path) => ToTensor(ParseImages(DataFile.ReadAllBytes(path), path));

    /// <summary>Reads a label file as int64 [N].</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX label file (the message names it).</exception>
    public static Tensor ReadLabels(string path) => ToTensor(ParseLabels(DataFile.ReadAllBytes(path), path));

    /// <summary>
    /// Reads an image file and its label file as a dataset: features [N, 1, rows, columns] in [0, 1],
    /// labels [N] in [0, <paramref name="classCount"/>).
    /// </summary>
    /// <param name="imagesPath">The IDX image file (raw or gzip).</param>
    /// <param name="labelsPath">The IDX label file (raw or gzip).</param>
    /// <param name="classCount">Number of classes; every label must be smaller.</param>
    /// <param name="classNames">Names of the classes; their indices as text when null.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is malformed, the files hold different numbers of samples, they hold none, or a label is
    /// not below <paramref name="classCount"/>.
    /// </exception>
    public static LabeledData Load(string imagesPath, string labelsPath, int classCount = 10, IReadOnlyList<string>? classNames = null)
    {
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A dataset needs at least 2 classes.");
        if (classNames is not null && classNames.Count != classCount)
            throw new ArgumentException($"classNames must name all {classCount} classes; got {classNames.Count}.", nameof(classNames));
        var images = ParseImages(DataFile.ReadAllBytes(imagesPath), imagesPath);
        var labels = ParseLabels(DataFile.ReadAllBytes(labelsPath), labelsPath);
        if (images.Count != labels.Count)
            throw new InvalidDataException(
                $"The image file '{imagesPath}' holds {images.Count} images but the label file '{labelsPath}' holds {labels.Count} labels.");
        if (images.Count == 0)
            throw new InvalidDataException($"The image file '{imagesPath}' and the label file '{labelsPath}' hold no samples.");
        var span = labels.Span;
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i] >= classCount)
                throw new InvalidDataException(
                    $"The label file '{labelsPath}' holds label {span[i]} at index {i}, outside [0, {classCount - 1}] for {classCount} classes.");
        }
        var x = ToTensor(images);
        var y = ToTensor(labels);
        try
        {
            return new LabeledData(x, y, classCount, classNames);
        }
        catch
        {
            x.Dispose();
            y.Dispose();
            throw;
        }
    }

    /// <summary>The pixels of an IDX image file: <see cref="Count"/> images of <see cref="Rows"/>×<see cref="Columns"/> bytes.</summary>
    internal readonly record struct Images(byte[] Buffer, int Offset, int Count, int Rows, int Columns)
    {
        public ReadOnlySpan<byte> Span => Buffer.AsSpan(Offset, Count * Rows * Columns);
    }

    /// <summary>The labels of an IDX label file.</summary>
    internal readonly record struct Labels(byte[] Buffer, int Offset, int Count)
    {
        public ReadOnlySpan<byte> Span => Buffer.AsSpan(Offset, Count);
    }

    /// <summary>Checks and parses the (decompressed) content of an image file read from <paramref name="source"/>.</summary>
    internal static Images ParseImages(byte[] bytes, string source)
    {
        var (dims, offset) = ParseHeader(bytes, source, ImagesMagic, "image");
        if (dims[1] == 0 || dims[2] == 0)
            throw new InvalidDataException($"'{source}' declares images of {dims[1]}×{dims[2]} pixels; both sizes must be positive.");
        return new Images(bytes, offset, dims[0], dims[1], dims[2]);
    }

    /// <summary>Checks and parses the (decompressed) content of a label file read from <paramref name="source"/>.</summary>
    internal static Labels ParseLabels(byte[] bytes, string source)
    {
        var (dims, offset) = ParseHeader(bytes, source, LabelsMagic, "label");
        return new Labels(bytes, offset, dims[0]);
    }

    private static (int[] Dims, int Offset) ParseHeader(byte[] bytes, string source, int expectedMagic, string kind)
    {
        var expectedDims = expectedMagic & 0xFF;
        if (bytes.Length == 0)
            throw new InvalidDataException($"'{source}' is empty; expected an IDX {kind} file.");
        if (bytes.Length < 4)
            throw new InvalidDataException($"'{source}' is truncated: it holds {bytes.Length} bytes, fewer than an IDX magic number.");
        var magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
        {
            var reason = (magic >>> 16) != 0 ? "it does not start with two zero bytes"
                : bytes[2] != 0x08 ? $"its data type is 0x{bytes[2]:X2}, but only unsigned bytes (0x08) are supported"
                : $"it has {bytes[3]} dimensions, but an IDX {kind} file has {expectedDims}";
            throw new InvalidDataException(
                $"'{source}' is not an IDX {kind} file: its magic number is 0x{magic:X8}, expected 0x{expectedMagic:X8} ({reason}).");
        }
        var headerLength = 4 + 4 * expectedDims;
        if (bytes.Length < headerLength)
            throw new InvalidDataException(
                $"'{source}' is truncated: its header needs {headerLength} bytes but the file holds {bytes.Length}.");
        var dims = new int[expectedDims];
        long size = 1;
        for (var d = 0; d < expectedDims; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (dims[d] < 0)
                throw new InvalidDataException($"'{source}' declares a negative size ({dims[d]}) for dimension {d}.");
            size *= dims[d];
            if (size > int.MaxValue)
                throw new InvalidDataException($"'{source}' declares sizes [{string.Join(", ", dims.Take(d + 1))}] too large for one file.");
        }
        long available = bytes.Length - headerLength;
        if (available < size)
            throw new InvalidDataException(
                $"'{source}' is truncated: its header promises {dims[0]} {kind}s ({size} data bytes) but only {available} bytes follow.");
        if (available > size)
            throw new InvalidDataException(
                $"'{source}' has {available - size} unexpected bytes after the {dims[0]} {kind}s its header promises.");
        return (dims, headerLength);
    }

    private static Tensor ToTensor(Images images)
    {
        var pixels = images.Span;
        var values = new float[pixels.Length];
        for (var i = 0; i < values.Length; i++) values[i] = pixels[i] / 255f;
        return tensor(values, [images.Count, 1, images.Rows, images.Columns]);
    }

    private static Tensor ToTensor(Labels labels)
    {
        var bytes = labels.Span;
        var values = new long[bytes.Length];
        for (var i = 0; i < values.Length; i++) values[i] = bytes[i];
        return tensor(values, [labels.Count]);
    }
}
