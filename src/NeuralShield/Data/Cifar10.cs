namespace NeuralShield.Data;

/// <summary>
/// CIFAR-10 in its binary version (<c>cifar-10-batches-bin</c>, Krizhevsky 2009): each batch file holds records of one
/// label byte followed by 3,072 pixel bytes — the 1,024 red values of the 32×32 image row by row, then green, then blue.
/// Images load as float32 [N, 3, 32, 32] in [0, 1]; class names come from <c>batches.meta.txt</c> beside the batches
/// when it is there.
/// </summary>
public static class Cifar10
{
    /// <summary>Bytes per record: a label and a 3×32×32 image.</summary>
    public const int RecordSize = 1 + 3 * 32 * 32;

    /// <summary>CIFAR-10's classes, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>
    /// Loads the training batches (<c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>, those present, at least one) or the
    /// test batch (<c>test_batch.bin</c>) of <paramref name="directory"/>; each may be gzip-compressed (<c>.gz</c>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">No batch file of the split is there (the message names what was looked for).</exception>
    /// <exception cref="InvalidDataException">A file's length is not a whole number of records, or a label is above 9.</exception>
    public static LabeledData Load(string directory, bool train)
    {
        DataFile.RequireDirectory(directory, "CIFAR-10");
        var names = train ? Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray() : ["test_batch.bin"];
        var files = names.Select(n => DataFile.Find(directory, n)).OfType<string>().ToArray();
        if (files.Length == 0)
            throw new FileNotFoundException($"No CIFAR-10 {(train ? "training" : "test")} batch in '{directory}': looked for {string.Join(", ", names)} (or .gz).",
                Path.Combine(directory, names[0]));
        var meta = DataFile.Find(directory, "batches.meta.txt");
        var classNames = meta is null ? ClassNames : DataFile.Lines(DataFile.ReadAllText(meta)).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (classNames.Count != 10)
            throw new InvalidDataException($"'{meta}' names {classNames.Count} classes; CIFAR-10 has 10.");
        return LoadBatches(files, classNames);
    }

    /// <summary>Loads the given batch files (each raw or gzip) as one data set, in file order.</summary>
    /// <exception cref="ArgumentException">No file is given.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file's length is not a whole, positive number of records, or a label is above 9.</exception>
    public static LabeledData LoadBatches(IReadOnlyList<string> files, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("At least one batch file is needed.", nameof(files));
        var contents = files.Select(DataFile.ReadAllBytes).ToArray();
        for (var f = 0; f < files.Count; f++)
            if (contents[f].Length == 0 || contents[f].Length % RecordSize != 0)
                throw new InvalidDataException(
                    $"'{files[f]}' holds {contents[f].Length} bytes, not a whole number of CIFAR-10 records ({RecordSize} bytes each: a label and a 3×32×32 image).");
        var count = contents.Sum(c => c.Length / RecordSize);
        var pixels = new float[checked(count * (RecordSize - 1))];
        var labels = new long[count];
        var n = 0;
        for (var f = 0; f < files.Count; f++)
        {
            var bytes = contents[f];
            for (var r = 0; r < bytes.Length / RecordSize; r++, n++)
            {
                var at = r * RecordSize;
                if (bytes[at] > 9) throw new InvalidDataException($"'{files[f]}' record {r}: label {bytes[at]} is not a CIFAR-10 class (0..9).");
                labels[n] = bytes[at];
                for (var p = 0; p < RecordSize - 1; p++) pixels[n * (RecordSize - 1) + p] = bytes[at + 1 + p] / 255f;
            }
        }
        var x = tensor(pixels, [count, 3, 32, 32]);
        var y = tensor(labels, [count]);
        try
        {
            return new LabeledData(x, y, 10, classNames ?? ClassNames);
        }
        catch
        {
            x.Dispose();
            y.Dispose();
            throw;
        }
    }
}
