using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NeuralShield.Attacks;

namespace NeuralShield.Defenses.Data;

/// <summary>
/// An integrity manifest of a training set (survey §4.1: verify each data point before training; protect training
/// data like a key): the SHA-256 of every record (its float32 features, little-endian, followed by its int64 label,
/// little-endian) and of every source file, and an HMAC-SHA256 over the canonical manifest under a key the data owner
/// keeps. The manifest is versioned JSON; reading it checks the HMAC, so a manifest cannot be re-made to match tampered
/// data without the key. <see cref="Verify"/> names the records that changed, were added or were removed and the files
/// that differ; <see cref="EnsureIntact"/> refuses a tampered set before training.
/// </summary>
public sealed class IntegrityManifest : IDataDefense<IntegrityReport>
{
    /// <summary>The manifest format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The smallest key accepted, in bytes (the HMAC-SHA256 block-size guidance is 32; 16 is the floor).</summary>
    public const int MinimumKeyBytes = 16;

    private const string FormatName = "neuralshield-integrity-manifest";
    private const string RecordEncoding = "sha256(float32-le features || int64-le label)";
    private readonly string[] _records;
    private readonly ManifestFile[] _files;
    private readonly long[] _sampleShape;

    private IntegrityManifest(string name, int classCount, long[] sampleShape, string[] records, ManifestFile[] files, string mac)
    {
        Name = name;
        ClassCount = classCount;
        _sampleShape = sampleShape;
        _records = records;
        _files = files;
        Mac = mac;
    }

    /// <summary>The name the owner gave the set.</summary>
    public string Name { get; }

    /// <summary>The set's class count.</summary>
    public int ClassCount { get; }

    /// <summary>The set's per-sample shape.</summary>
    public IReadOnlyList<long> SampleShape => _sampleShape;

    /// <summary>The records' SHA-256 hashes (lower-case hexadecimal), in order.</summary>
    public IReadOnlyList<string> RecordHashes => _records;

    /// <summary>The covered files.</summary>
    public IReadOnlyList<ManifestFile> Files => _files;

    /// <summary>The HMAC-SHA256 of the canonical manifest (lower-case hexadecimal).</summary>
    public string Mac { get; }

    /// <inheritdoc />
    public DefenseDescriptor Descriptor => new("Integrity manifest", DefenseKind.Data, null, [AttackFamily.Poisoning]);

    /// <summary>Makes the manifest of <paramref name="data"/> (and of <paramref name="files"/>, by file name) under <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="MinimumKeyBytes"/>, or two files share a name.</exception>
    public static IntegrityManifest Create(LabeledData data, ReadOnlySpan<byte> key, IEnumerable<string>? files = null, string name = "training set", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(name);
        CheckKey(key);
        var records = HashRecords(data, cancellationToken);
        var entries = (files ?? []).Select(HashFile).ToArray();
        var duplicate = entries.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two covered files are named {duplicate.Key}; files are identified by name.", nameof(files));
        var shape = data.SampleShape;
        var mac = Convert.ToHexStringLower(HMACSHA256.HashData(key, Canonical(name, data.ClassCount, shape, records, entries)));
        return new IntegrityManifest(name, data.ClassCount, shape, records, entries, mac);
    }

    /// <summary>The manifest as JSON: the canonical fields followed by <c>"mac"</c>.</summary>
    public string ToJson()
    {
        var canonical = Canonical(Name, ClassCount, _sampleShape, _records, _files);
        // The canonical document ends with '}'; the MAC is appended as the last member.
        var text = Encoding.UTF8.GetString(canonical);
        return text[..^1] + ",\"mac\":\"" + Mac + "\"}";
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson(), new UTF8Encoding(false));

    /// <summary>Reads a manifest from <paramref name="path"/> and checks its HMAC under <paramref name="key"/>.</summary>
    public static IntegrityManifest Load(string path, ReadOnlySpan<byte> key) => Parse(File.ReadAllText(path), key);

    /// <summary>Reads a manifest and checks its HMAC under <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not a complete manifest (truncated or damaged JSON, a missing field) or has another format version.</exception>
    /// <exception cref="ManifestAuthenticationException">The HMAC does not match: wrong key, or the manifest was altered.</exception>
    public static IntegrityManifest Parse(string json, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(json);
        CheckKey(key);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The integrity manifest is not complete JSON (truncated or damaged near byte {e.BytePositionInLine ?? 0} of line {(e.LineNumber ?? 0) + 1}).", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException("The integrity manifest must be a JSON object.");
            var format = Field(root, "format", JsonValueKind.String).GetString();
            if (format != FormatName) throw new InvalidDataException($"The file is not an integrity manifest (format \"{format}\").");
            var version = Field(root, "version", JsonValueKind.Number).GetInt32();
            if (version != FormatVersion) throw new InvalidDataException($"Integrity manifest format version {version} is not supported; this library reads version {FormatVersion}.");
            try
            {
                var name = Field(root, "name", JsonValueKind.String).GetString()!;
                var classCount = Field(root, "class_count", JsonValueKind.Number).GetInt32();
                var shape = Field(root, "sample_shape", JsonValueKind.Array).EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var count = Field(root, "record_count", JsonValueKind.Number).GetInt32();
                var records = Field(root, "records", JsonValueKind.Array).EnumerateArray().Select(e => e.GetString()!).ToArray();
                if (records.Length != count) throw new InvalidDataException($"The integrity manifest declares {count} records but lists {records.Length}.");
                var files = Field(root, "files", JsonValueKind.Array).EnumerateArray()
                    .Select(f => new ManifestFile(Field(f, "name", JsonValueKind.String).GetString()!, Field(f, "length", JsonValueKind.Number).GetInt64(),
                        Field(f, "sha256", JsonValueKind.String).GetString()!)).ToArray();
                var mac = Field(root, "mac", JsonValueKind.String).GetString()!;
                var expected = HMACSHA256.HashData(key, Canonical(name, classCount, shape, records, files));
                byte[] given;
                try
                {
                    given = Convert.FromHexString(mac);
                }
                catch (FormatException)
                {
                    given = [];
                }
                if (!CryptographicOperations.FixedTimeEquals(expected, given))
                    throw new ManifestAuthenticationException("The integrity manifest's HMAC does not match under the given key: the key is wrong or the manifest was altered.");
                return new IntegrityManifest(name, classCount, shape, records, files, mac);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"The integrity manifest holds a value of the wrong type: {e.Message}", e);
            }
        }
    }

    /// <summary>Compares <paramref name="data"/> (and <paramref name="files"/>, matched by file name) with the manifest.</summary>
    public IntegrityReport Verify(LabeledData data, IEnumerable<string>? files = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        string? shape = null;
        if (!data.SampleShape.SequenceEqual(_sampleShape) || data.ClassCount != ClassCount)
            shape = $"the set has samples [{string.Join(", ", data.SampleShape)}] and {data.ClassCount} classes; the manifest [{string.Join(", ", _sampleShape)}] and {ClassCount}";
        var (changed, added, removed) = Diff(_records, HashRecords(data, cancellationToken));
        var changedFiles = new List<string>();
        var missing = new List<string>();
        var unexpected = new List<string>();
        if (files is not null)
        {
            var given = files.Select(HashFile).ToDictionary(f => f.Name, StringComparer.Ordinal);
            foreach (var entry in _files)
            {
                if (!given.TryGetValue(entry.Name, out var actual)) missing.Add(entry.Name);
                else if (actual != entry) changedFiles.Add(entry.Name);
            }
            unexpected.AddRange(given.Keys.Where(n => _files.All(f => f.Name != n)).Order(StringComparer.Ordinal));
        }
        return new IntegrityReport(changed, added, removed, changedFiles, missing, unexpected, shape);
    }

    /// <inheritdoc />
    public IntegrityReport Inspect(LabeledData data, CancellationToken cancellationToken = default) => Verify(data, null, cancellationToken);

    /// <summary>Refuses a set (and files) that differ from the manifest: call before training.</summary>
    /// <exception cref="TamperedDataException">Something differs; the exception names what.</exception>
    public void EnsureIntact(LabeledData data, IEnumerable<string>? files = null, CancellationToken cancellationToken = default)
    {
        var report = Verify(data, files, cancellationToken);
        if (!report.Intact) throw new TamperedDataException(report);
    }

    /// <summary>The SHA-256 of each record of <paramref name="data"/>: float32 little-endian features followed by the int64 little-endian label.</summary>
    public static string[] HashRecords(LabeledData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var features = data.Features.cpu().contiguous();
        using var labels = data.Labels.cpu().contiguous();
        var n = data.Count;
        var width = (int)data.FeatureCount;
        var values = features.data<float>().ToArray();
        var labelValues = labels.data<long>().ToArray();
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (!BitConverter.IsLittleEndian)
        {
            var swapped = new float[values.Length];
            for (var i = 0; i < values.Length; i++) swapped[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(values[i])));
            values = swapped;
            bytes = MemoryMarshal.AsBytes(values.AsSpan());
        }
        var result = new string[n];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> label = stackalloc byte[8];
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < n; i++)
        {
            if ((i & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            hash.AppendData(bytes.Slice(i * width * 4, width * 4));
            BinaryPrimitives.WriteInt64LittleEndian(label, labelValues[i]);
            hash.AppendData(label);
            hash.GetHashAndReset(digest);
            result[i] = Convert.ToHexStringLower(digest);
        }
        return result;
    }

    /// <summary>The entry of one file: its name, length and SHA-256.</summary>
    public static ManifestFile HashFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        var digest = SHA256.HashData(stream);
        return new ManifestFile(Path.GetFileName(path), stream.Length, Convert.ToHexStringLower(digest));
    }

    /// <summary>
    /// Aligns the manifest's record hashes with the set's. With equal counts records are compared place by place
    /// (changed records); otherwise a greedy alignment on equal hashes reports inserted records as added and missing
    /// ones as removed, and records that match nothing on either side as changed.
    /// </summary>
    internal static (List<long> Changed, List<long> Added, List<long> Removed) Diff(string[] expected, string[] actual)
    {
        var changed = new List<long>();
        var added = new List<long>();
        var removed = new List<long>();
        if (expected.Length == actual.Length)
        {
            for (var i = 0; i < actual.Length; i++)
                if (!string.Equals(expected[i], actual[i], StringComparison.Ordinal)) changed.Add(i);
            return (changed, added, removed);
        }
        var inActual = Positions(actual);
        var inExpected = Positions(expected);
        int e = 0, a = 0;
        while (e < expected.Length && a < actual.Length)
        {
            if (string.Equals(expected[e], actual[a], StringComparison.Ordinal)) { e++; a++; continue; }
            var nextInActual = Next(inActual, expected[e], a);
            var nextInExpected = Next(inExpected, actual[a], e);
            if (nextInActual < 0 && nextInExpected < 0) { changed.Add(a); e++; a++; }
            else if (nextInActual >= 0 && (nextInExpected < 0 || nextInActual - a <= nextInExpected - e)) { added.Add(a); a++; }
            else { removed.Add(e); e++; }
        }
        for (; a < actual.Length; a++) added.Add(a);
        for (; e < expected.Length; e++) removed.Add(e);
        return (changed, added, removed);
    }

    private static Dictionary<string, Queue<int>> Positions(string[] hashes)
    {
        var map = new Dictionary<string, Queue<int>>(StringComparer.Ordinal);
        for (var i = 0; i < hashes.Length; i++)
        {
            if (!map.TryGetValue(hashes[i], out var q)) map[hashes[i]] = q = new Queue<int>();
            q.Enqueue(i);
        }
        return map;
    }

    private static int Next(Dictionary<string, Queue<int>> positions, string hash, int from)
    {
        if (!positions.TryGetValue(hash, out var q)) return -1;
        while (q.Count > 0 && q.Peek() < from) q.Dequeue();
        return q.Count > 0 ? q.Peek() : -1;
    }

    private static byte[] Canonical(string name, int classCount, IReadOnlyList<long> shape, IReadOnlyList<string> records, IReadOnlyList<ManifestFile> files)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", FormatVersion);
            w.WriteString("name", name);
            w.WriteString("hash", "SHA-256");
            w.WriteString("mac_algorithm", "HMAC-SHA256");
            w.WriteString("record_encoding", RecordEncoding);
            w.WriteNumber("class_count", classCount);
            w.WriteStartArray("sample_shape");
            foreach (var d in shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteNumber("record_count", records.Count);
            w.WriteStartArray("records");
            foreach (var r in records) w.WriteStringValue(r);
            w.WriteEndArray();
            w.WriteStartArray("files");
            foreach (var f in files)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WriteNumber("length", f.Length);
                w.WriteString("sha256", f.Sha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static JsonElement Field(JsonElement e, string name, JsonValueKind kind)
    {
        if (!e.TryGetProperty(name, out var value)) throw new InvalidDataException($"The integrity manifest lacks the field \"{name}\" (truncated or not a manifest).");
        if (value.ValueKind != kind) throw new InvalidDataException($"The integrity manifest's field \"{name}\" must be a {kind}; got {value.ValueKind}.");
        return value;
    }

    private static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumKeyBytes)
            throw new ArgumentException($"The manifest key must hold at least {MinimumKeyBytes} bytes; got {key.Length}.", nameof(key));
    }
}
