namespace NeuralShield.Recording;

/// <summary>
/// The randomness space of image canaries: a <see cref="Bits"/>-bit secret written as a grid of bright or dark blocks on
/// a [1, 28, 28] image (MNIST's shape), the analogue of the Secret Sharer's "my number is ______". Every code is a
/// candidate; a canary is one code with one label.
/// </summary>
public sealed class CanarySpace
{
    private const int Side = 28;
    private readonly int _columns;
    private readonly int _block;

    /// <summary>A space of 2^<paramref name="bits"/> codes (4 to 16 bits).</summary>
    public CanarySpace(int bits = 12)
    {
        if (bits < 4 || bits > 16) throw new ArgumentOutOfRangeException(nameof(bits), bits, "expected 4 to 16 bits");
        Bits = bits;
        _columns = 4;
        var rows = (bits + _columns - 1) / _columns;
        _block = Side / Math.Max(rows, _columns);
    }

    /// <summary>Bits of the secret.</summary>
    public int Bits { get; }

    /// <summary>|R| = 2^<see cref="Bits"/>.</summary>
    public int Size => 1 << Bits;

    /// <summary>The image of <paramref name="code"/>, flattened (784 values in [0, 1]).</summary>
    public float[] Render(int code)
    {
        if (code < 0 || code >= Size) throw new ArgumentOutOfRangeException(nameof(code), code, $"expected 0 to {Size - 1}");
        var image = new float[Side * Side];
        for (var bit = 0; bit < Bits; bit++)
        {
            if ((code >> bit & 1) == 0) continue;
            var (row, column) = (bit / _columns, bit % _columns);
            for (var y = row * _block; y < (row + 1) * _block; y++)
                for (var x = column * _block; x < (column + 1) * _block; x++) image[y * Side + x] = 1f;
        }
        return image;
    }

    /// <summary>Every candidate as a batch [<see cref="Size"/>, 1, 28, 28] (code i at row i).</summary>
    public Tensor All(Device? device = null)
    {
        var all = new float[Size * Side * Side];
        for (var code = 0; code < Size; code++) Render(code).CopyTo(all, code * Side * Side);
        return tensor(all, [Size, 1, Side, Side], device: device);
    }
}
