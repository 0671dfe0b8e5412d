using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NeuralShield.Data;

/// <summary>
/// Reads data files that may be gzip-compressed (recognised by the gzip magic bytes 1f 8b, never by the
/// file name), checks the gzip trailer so that truncated streams are reported instead of silently
/// yielding a prefix, and finds files by name with or without a <c>.gz</c> suffix.
/// </summary>
internal static class DataFile
{
    /// <summary>Smallest possible gzip member: 10-byte header, 2 bytes of deflate data, 8-byte trailer.</summary>
    private const int MinGzipLength = 20;

    /// <summary>The whole content of <paramref name="path"/>, decompressed when it is gzip.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is a corrupt or truncated gzip stream.</exception>
    public static byte[] ReadAllBytes(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The data file '{path}' does not exist.", path);
        var raw = File.ReadAllBytes(path);
        return IsGzip(raw) ? Gunzip(raw, path) : raw;
    }

    /// <summary>The whole content of <paramref name="path"/> as UTF-8 text, decompressed when it is gzip.</summary>
    public static string ReadAllText(string path) => Decode(ReadAllBytes(path));

    /// <summary>UTF-8 text of <paramref name="bytes"/>, without a byte-order mark.</summary>
    public static string Decode(byte[] bytes)
    {
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }

    /// <summary>Whether <paramref name="bytes"/> starts with the gzip magic bytes.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;

    /// <summary>
    /// Decompresses a gzip stream read from <paramref name="source"/> (a file path or other name used in
    /// messages). The last member's trailer (CRC-32 and length) must match the data it closes, which
    /// catches truncation anywhere except exactly between two members.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is corrupt or truncated.</exception>
    public static byte[] Gunzip(byte[] raw, string source)
    {
        if (raw.Length < MinGzipLength)
            throw new InvalidDataException($"'{source}' is a truncated gzip stream: it holds only {raw.Length} bytes.");
        var declaredSize = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4));
        var declaredCrc = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 8));
        byte[] data;
        try
        {
            // The last member's length is a good capacity hint for the usual single-member file.
            using var output = new MemoryStream(capacity: (int)Math.Min(declaredSize, 256u << 20));
            using (var gzip = new GZipStream(new MemoryStream(raw, writable: false), CompressionMode.Decompress))
                gzip.CopyTo(output);
            data = output.Length == output.Capacity ? output.GetBuffer() : output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or NotSupportedException)
        {
            throw new InvalidDataException($"'{source}' is a corrupt or truncated gzip stream: {e.Message}", e);
        }
        if (declaredSize > (uint)data.Length || Crc32(data.AsSpan(data.Length - (int)declaredSize)) != declaredCrc)
            throw new InvalidDataException(
                $"'{source}' is a truncated or corrupt gzip stream: its trailer does not match the {data.Length} bytes it decompresses to.");
        return data;
    }

    /// <summary>
    /// The path of <paramref name="name"/> or <paramref name="name"/><c>.gz</c> in <paramref name="directory"/>
    /// (the uncompressed name first), or null when neither exists.
    /// </summary>
    public static string? Find(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>Throws <see cref="DirectoryNotFoundException"/> naming <paramref name="directory"/> when it is missing.</summary>
    public static void RequireDirectory(string directory, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The {what} directory '{directory}' does not exist.");
    }

    /// <summary>The lines of <paramref name="text"/> (split at '\n', a trailing '\r' removed).</summary>
    public static string[] Lines(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].EndsWith('\r')) lines[i] = lines[i][..^1];
        return lines;
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 (ISO 3309, as in gzip) of <paramref name="data"/>.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        var table = CrcTable;
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}
