using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NeuralShield.Reports;

/// <summary>A minimal PNG encoder for report images: 8-bit greyscale, each pixel drawn as a square of <c>scale</c> pixels.</summary>
internal static class Png
{
    /// <summary>
    /// The PNG of a <paramref name="height"/>×<paramref name="width"/> image whose values lie in
    /// [<paramref name="lower"/>, <paramref name="upper"/>] (clamped; NaN is black), enlarged <paramref name="scale"/> times.
    /// </summary>
    public static byte[] Greyscale(IReadOnlyList<float> values, int height, int width, float lower, float upper, int scale)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (height <= 0 || width <= 0 || values.Count != height * width)
            throw new ArgumentException($"An image of {height}×{width} needs {height * width} values; got {values.Count}.", nameof(values));
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be at least 1.");
        if (!(upper > lower)) throw new ArgumentException("upper must exceed lower.", nameof(upper));
        int h = height * scale, w = width * scale;
        var raw = new byte[h * (w + 1)];
        for (var y = 0; y < h; y++)
        {
            var row = y * (w + 1);
            raw[row] = 0; // filter: none
            for (var x = 0; x < w; x++)
            {
                var v = values[(y / scale) * width + x / scale];
                var t = float.IsNaN(v) ? 0 : Math.Clamp((v - lower) / (upper - lower), 0f, 1f);
                raw[row + 1 + x] = (byte)Math.Round(t * 255);
            }
        }
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, w);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), h);
        header[8] = 8; // bit depth
        header[9] = 0; // greyscale
        Chunk(output, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
            Chunk(output, "IDAT", compressed.ToArray());
        }
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        output.Write(buffer);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, Data.DataFile.Crc32([.. typeBytes, .. data]));
        output.Write(buffer);
    }
}
