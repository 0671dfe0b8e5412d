namespace NeuralShield.Data;

/// <summary>
/// MNIST and Fashion-MNIST from a directory holding the standard IDX files (raw or gzip), and a
/// download helper that fetches those files from a mirror.
/// </summary>
public static class Mnist
{
    private const string TestImages = "t10k-images-idx3-ubyte";
    private const string TestLabels = "t10k-labels-idx1-ubyte";
    private const string TrainImages = "train-images-idx3-ubyte";
    private const string TrainLabels = "train-labels-idx1-ubyte";
    private const string TrainFirst10kImages = "train-first10k-images-idx3-ubyte";
    private const string TrainFirst10kLabels = "train-first10k-labels-idx1-ubyte";

    /// <summary>Number of classes of MNIST and Fashion-MNIST.</summary>
    public const int ClassCount = 10;

    /// <summary>The class names of Fashion-MNIST, in label order (MNIST's are the digits "0".."9").</summary>
    public static IReadOnlyList<string> FashionClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The four files <see cref="DownloadAsync"/> fetches, gzip-compressed as on the usual mirrors.</summary>
    public static IReadOnlyList<string> DownloadFileNames { get; } =
        [TestImages + ".gz", TestLabels + ".gz", TrainImages + ".gz", TrainLabels + ".gz"];

    /// <summary>
    /// Loads a split from <paramref name="directory"/>: features [N, 1, 28, 28] in [0, 1], labels [N] in 0..9.
    /// Each file may be stored raw or with a <c>.gz</c> suffix.
    /// </summary>
    /// <param name="directory">The folder holding the IDX files (MNIST or Fashion-MNIST; they share the file names).</param>
    /// <param name="split">
    /// <see cref="MnistSplit.Test"/>: <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>.
    /// <see cref="MnistSplit.Train"/>: <c>train-images-idx3-ubyte</c> and <c>train-labels-idx1-ubyte</c>, or where
    /// those are not both present, <c>train-first10k-images-idx3-ubyte</c> and <c>train-first10k-labels-idx1-ubyte</c>.
    /// </param>
    /// <param name="classNames">Names of the 10 classes (e.g. <see cref="FashionClassNames"/>); "0".."9" when null.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The files of the split are missing (the message lists the names looked for).</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the two files do not match.</exception>
    public static LabeledData Load(string directory, MnistSplit split, IReadOnlyList<string>? classNames = null)
    {
        var (images, labels) = FindFiles(directory, split);
        return Idx.Load(images, labels, ClassCount, classNames);
    }

    /// <summary>The image and label files <see cref="Load"/> reads for <paramref name="split"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">No complete pair of files for the split exists.</exception>
    public static (string ImagesPath, string LabelsPath) FindFiles(string directory, MnistSplit split)
    {
        DataFile.RequireDirectory(directory, "MNIST");
        (string Images, string Labels)[] pairs = split switch
        {
            MnistSplit.Test => [(TestImages, TestLabels)],
            MnistSplit.Train => [(TrainImages, TrainLabels), (TrainFirst10kImages, TrainFirst10kLabels)],
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown MNIST split."),
        };
        foreach (var (imagesName, labelsName) in pairs)
        {
            // Each images file is only ever paired with the labels file of the same prefix, so the
            // 10k-image subset is never matched with the 60k-label file.
            var images = DataFile.Find(directory, imagesName);
            var labels = DataFile.Find(directory, labelsName);
            if (images is not null && labels is not null) return (images, labels);
        }
        var lookedFor = string.Join(", ", pairs.Select(p => $"{p.Images}[.gz] + {p.Labels}[.gz]"));
        throw new FileNotFoundException(
            $"No MNIST {split.ToString().ToLowerInvariant()} files in '{directory}': looked for {lookedFor}.",
            Path.Combine(directory, pairs[0].Images));
    }

    /// <summary>
    /// Downloads the four gzip IDX files (<see cref="DownloadFileNames"/>) from <paramref name="baseUri"/> into
    /// <paramref name="directory"/>, skipping files that already exist there. Each file is written to a
    /// temporary name, checked to parse as an IDX file of its kind, and only then moved into place, so an
    /// interrupted or rejected download leaves nothing behind.
    /// </summary>
    /// <param name="baseUri">The folder URL of the mirror (the file names are appended).</param>
    /// <param name="directory">The target folder; created when missing.</param>
    /// <param name="ct">Cancels the download.</param>
    /// <param name="client">The HTTP client to use; a private one is created (and disposed) when null.</param>
    /// <returns>The paths of the files this call downloaded (files that already existed are not listed).</returns>
    /// <exception cref="HttpRequestException">The server could not be reached or answered with an error status.</exception>
    /// <exception cref="InvalidDataException">A downloaded file is not a valid IDX file of its kind; it is deleted.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static async Task<IReadOnlyList<string>> DownloadAsync(Uri baseUri, string directory, CancellationToken ct, HttpClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        if (!baseUri.IsAbsoluteUri) throw new ArgumentException("baseUri must be an absolute URL.", nameof(baseUri));
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ct.ThrowIfCancellationRequested();
        var root = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        Directory.CreateDirectory(directory);
        var owned = client is null ? new HttpClient() : null;
        var http = client ?? owned!;
        try
        {
            var downloaded = new List<string>();
            foreach (var name in DownloadFileNames)
            {
                ct.ThrowIfCancellationRequested();
                var target = Path.Combine(directory, name);
                if (File.Exists(target)) continue;
                await DownloadFileAsync(http, new Uri(root, name), target, isImages: name.Contains("images", StringComparison.Ordinal), ct)
                    .ConfigureAwait(false);
                downloaded.Add(target);
            }
            return downloaded;
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static async Task DownloadFileAsync(HttpClient http, Uri uri, string target, bool isImages, CancellationToken ct)
    {
        var temp = $"{target}.{Guid.NewGuid():N}.part";
        try
        {
            using (var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException(
                        $"Downloading '{uri}' failed: the server answered {(int)response.StatusCode} {response.ReasonPhrase}.",
                        null, response.StatusCode);
                var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                    await using (file.ConfigureAwait(false))
                        await body.CopyToAsync(file, ct).ConfigureAwait(false);
                }
            }
            Verify(temp, uri, target, isImages);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private static void Verify(string temp, Uri uri, string target, bool isImages)
    {
        var source = uri.ToString();
        try
        {
            var bytes = File.ReadAllBytes(temp);
            if (DataFile.IsGzip(bytes)) bytes = DataFile.Gunzip(bytes, source);
            if (isImages) Idx.ParseImages(bytes, source);
            else Idx.ParseLabels(bytes, source);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The download for '{target}' was rejected and not kept: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file never has the target's name.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
