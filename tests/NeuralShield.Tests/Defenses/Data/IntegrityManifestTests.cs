using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NeuralShield.Data;
using NeuralShield.Defenses.Data;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Defenses.Data;

public class IntegrityManifestTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static LabeledData Data(int count, long seed)
    {
        using var g = new Generator((ulong)seed);
        return new LabeledData(rand([count, 1, 3, 3], generator: g), randint(0, 4, [count], generator: g), 4);
    }

    /// <summary>The set's records as raw bytes (features float32 then labels int64), to tamper with byte by byte.</summary>
    private static (byte[] Features, byte[] Labels) Bytes(LabeledData data) =>
        (System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Features.data<float>().ToArray().AsSpan()).ToArray(),
         System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Labels.data<long>().ToArray().AsSpan()).ToArray());

    [Property(MaxTest = 100)]
    public Property ChangingAnySingleByteIsDetectedAndNamed(NonNegativeInt position, byte mask, int seed)
    {
        var xor = (byte)(mask == 0 ? 1 : mask);
        using var data = Data(12, seed);
        var manifest = IntegrityManifest.Create(data, Key);
        var (features, labels) = Bytes(data);
        var total = features.Length + labels.Length;
        var at = position.Get % total;
        long record;
        if (at < features.Length)
        {
            features[at] ^= xor;
            record = at / (9 * 4);
        }
        else
        {
            labels[at - features.Length] ^= xor;
            record = (at - features.Length) / 8;
        }
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(features).ToArray();
        var classes = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(labels).ToArray();
        // A byte change that makes a value non-finite or a label out of range is refused by LabeledData itself.
        if (values.Any(v => !float.IsFinite(v)) || classes.Any(c => c < 0 || c >= 4)) return true.ToProperty();
        using var tampered = new LabeledData(tensor(values, [12, 1, 3, 3]), tensor(classes), 4);
        var report = manifest.Verify(tampered);
        return (!report.Intact && report.ChangedRecords.SequenceEqual([record]) && report.AddedRecords.Count == 0 && report.RemovedRecords.Count == 0)
            .Label(report.Describe());
    }

    [Property(MaxTest = 30)]
    public bool AnUntouchedSetAlwaysVerifiesAfterARoundTrip(PositiveInt count, int seed)
    {
        using var data = Data(1 + count.Get % 40, seed);
        var json = IntegrityManifest.Create(data, Key, name: $"set {seed}").ToJson();
        var manifest = IntegrityManifest.Parse(json, Key);
        using var copy = data.Slice(0, data.Count);
        manifest.EnsureIntact(copy);
        return manifest.Verify(copy).Intact && manifest.ToJson() == json;
    }

    [Property(MaxTest = 30)]
    public bool ChangingAnySingleByteOfACoveredFileIsNamed(NonNegativeInt position, byte mask)
    {
        var dir = Directory.CreateTempSubdirectory("manifest");
        try
        {
            var a = Path.Combine(dir.FullName, "a.bin");
            var b = Path.Combine(dir.FullName, "b.bin");
            File.WriteAllBytes(a, Enumerable.Range(0, 50).Select(i => (byte)i).ToArray());
            File.WriteAllBytes(b, [9, 8, 7]);
            using var data = Data(3, 1);
            var manifest = IntegrityManifest.Create(data, Key, [a, b]);
            var bytes = File.ReadAllBytes(a);
            bytes[position.Get % bytes.Length] ^= (byte)(mask == 0 ? 0x80 : mask);
            File.WriteAllBytes(a, bytes);
            var report = manifest.Verify(data, [a, b]);
            return report.ChangedFiles.SequenceEqual(["a.bin"]) && report.ChangedRecords.Count == 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void AddedAndRemovedRecordsAreNamed()
    {
        using var data = Data(20, 3);
        var manifest = IntegrityManifest.Create(data, Key);
        var keep = Enumerable.Range(0, 20).Where(i => i != 5 && i != 11).Select(i => (long)i).ToArray();
        using var fewer = data.Subset(keep);
        var removed = manifest.Verify(fewer);
        Assert.Equal([5L, 11L], removed.RemovedRecords);
        Assert.Empty(removed.ChangedRecords);
        Assert.Empty(removed.AddedRecords);

        using var extra = Data(1, 99);
        using var more = new LabeledData(cat([data.Features.narrow(0, 0, 7), extra.Features, data.Features.narrow(0, 7, 13)]),
            cat([data.Labels.narrow(0, 0, 7), extra.Labels, data.Labels.narrow(0, 7, 13)]), 4);
        var added = manifest.Verify(more);
        Assert.Equal([7L], added.AddedRecords);
        Assert.Empty(added.RemovedRecords);
        Assert.Empty(added.ChangedRecords);
        var refused = Assert.Throws<TamperedDataException>(() => manifest.EnsureIntact(more));
        Assert.Contains("1 added records: 7", refused.Message);
    }

    [Fact]
    public void AWrongKeyAnAlteredOrTruncatedManifestAndAnotherVersionAreClearErrors()
    {
        using var data = Data(5, 4);
        var json = IntegrityManifest.Create(data, Key).ToJson();
        var wrong = (byte[])Key.Clone();
        wrong[0] ^= 1;
        Assert.Throws<ManifestAuthenticationException>(() => IntegrityManifest.Parse(json, wrong));
        var altered = json.Replace("\"class_count\":4", "\"class_count\":5", StringComparison.Ordinal);
        Assert.Throws<ManifestAuthenticationException>(() => IntegrityManifest.Parse(altered, Key));
        var truncated = Assert.Throws<InvalidDataException>(() => IntegrityManifest.Parse(json[..(json.Length / 2)], Key));
        Assert.Contains("truncated", truncated.Message);
        Assert.Throws<InvalidDataException>(() => IntegrityManifest.Parse(json.Replace("\"version\":1", "\"version\":2", StringComparison.Ordinal), Key));
        Assert.Throws<ArgumentException>(() => IntegrityManifest.Create(data, new byte[8]));
        Assert.IsAssignableFrom<CryptographicException>(new ManifestAuthenticationException("x"));
    }
}
