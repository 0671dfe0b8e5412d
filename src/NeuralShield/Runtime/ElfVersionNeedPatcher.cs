using System.Buffers.Binary;
using System.Text;

namespace NeuralShield.Runtime;

/// <summary>
/// Reads and rewrites the version-need table (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF
/// shared object. NeuralShield uses it for one compatibility step: TorchSharp 0.107's native bridge
/// declares a need for <c>GLIBCXX_3.4.32</c> only for a marker symbol that is never called, and
/// libstdc++ of Debian 12 / Ubuntu 22.04 stops at <c>GLIBCXX_3.4.30</c>.
/// </summary>
internal static class ElfVersionNeedPatcher
{
    private const int SectionHeaderTypeVersionNeed = 0x6ffffffe; // SHT_GNU_verneed

    /// <summary>One version-need entry (<c>Elf64_Vernaux</c>).</summary>
    /// <param name="File">The library the version is needed from (e.g. <c>libstdc++.so.6</c>).</param>
    /// <param name="Version">The version name (e.g. <c>GLIBCXX_3.4.30</c>).</param>
    /// <param name="Hash">The ELF hash stored for the name.</param>
    /// <param name="Index">The version index symbols refer to.</param>
    public readonly record struct VersionNeed(string File, string Version, uint Hash, ushort Index);

    /// <summary>Lists the version needs of an ELF image.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a 64-bit little-endian ELF image with a readable version-need table.</exception>
    public static IReadOnlyList<VersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> image)
    {
        var result = new List<VersionNeed>();
        foreach (var (file, aux) in Walk(image))
            result.Add(new VersionNeed(file, ReadName(image, aux.StringTable, aux.NameOffset), aux.Hash, aux.Index));
        return result;
    }

    /// <summary>
    /// Rewrites every need of <paramref name="from"/> on <paramref name="library"/> into a need of
    /// <paramref name="to"/> (hash and name offset of the existing <paramref name="to"/> entry), in place.
    /// </summary>
    /// <returns>The number of entries rewritten (0 when the image does not need <paramref name="from"/>).</returns>
    /// <exception cref="InvalidDataException">The image is malformed, or it needs <paramref name="from"/> but has no <paramref name="to"/> entry to borrow.</exception>
    public static int Rewrite(Span<byte> image, string library, string from, string to)
    {
        ArgumentException.ThrowIfNullOrEmpty(library);
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        var entries = Walk(image).Where(x => x.File == library).Select(x => x.Aux).ToList();
        Aux? target = null;
        foreach (var e in entries)
            if (ReadName(image, e.StringTable, e.NameOffset) == to) target = e;
        var rewritten = 0;
        foreach (var e in entries)
        {
            if (ReadName(image, e.StringTable, e.NameOffset) != from) continue;
            if (target is not { } t)
                throw new InvalidDataException($"The image needs {from} from {library} but has no {to} entry whose name can be reused.");
            BinaryPrimitives.WriteUInt32LittleEndian(image.Slice(e.Position, 4), t.Hash);
            BinaryPrimitives.WriteUInt32LittleEndian(image.Slice(e.Position + 8, 4), t.NameOffset);
            rewritten++;
        }
        return rewritten;
    }

    private readonly record struct Aux(int Position, uint Hash, ushort Index, uint NameOffset, int StringTable);

    private static List<(string File, Aux Aux)> Walk(ReadOnlySpan<byte> image)
    {
        var found = new List<(string, Aux)>();
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF image (bad magic).");
        if (image[4] != 2 || image[5] != 1)
            throw new InvalidDataException("Only 64-bit little-endian ELF images are supported.");
        var shoff = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(image.Slice(0x28)));
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(image.Slice(0x3A));
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(image.Slice(0x3C));
        if (shentsize < 64 || shoff <= 0 || shoff + (long)shnum * shentsize > image.Length)
            throw new InvalidDataException("ELF section header table lies outside the image.");
        for (var i = 0; i < shnum; i++)
        {
            var sh = image.Slice(checked((int)(shoff + (long)i * shentsize)), shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh.Slice(4)) != SectionHeaderTypeVersionNeed) continue;
            var offset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(sh.Slice(0x18)));
            var size = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(sh.Slice(0x20)));
            var link = BinaryPrimitives.ReadUInt32LittleEndian(sh.Slice(0x28));
            if (link >= shnum || offset + size > image.Length)
                throw new InvalidDataException("ELF version-need section is malformed.");
            var strSh = image.Slice(checked((int)(shoff + (long)link * shentsize)), shentsize);
            var strOffset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(strSh.Slice(0x18)));
            var pos = offset;
            while (true)
            {
                if (pos + 16 > image.Length) throw new InvalidDataException("ELF version-need entry lies outside the image.");
                var count = BinaryPrimitives.ReadUInt16LittleEndian(image.Slice(pos + 2));
                var file = ReadName(image, strOffset, BinaryPrimitives.ReadUInt32LittleEndian(image.Slice(pos + 4)));
                var auxPos = pos + (int)BinaryPrimitives.ReadUInt32LittleEndian(image.Slice(pos + 8));
                for (var a = 0; a < count; a++)
                {
                    if (auxPos + 16 > image.Length) throw new InvalidDataException("ELF version-need auxiliary entry lies outside the image.");
                    found.Add((file, new Aux(auxPos,
                        BinaryPrimitives.ReadUInt32LittleEndian(image.Slice(auxPos)),
                        BinaryPrimitives.ReadUInt16LittleEndian(image.Slice(auxPos + 6)),
                        BinaryPrimitives.ReadUInt32LittleEndian(image.Slice(auxPos + 8)),
                        strOffset)));
                    var nextAux = BinaryPrimitives.ReadUInt32LittleEndian(image.Slice(auxPos + 12));
                    if (nextAux == 0) break;
                    auxPos += (int)nextAux;
                }
                var next = BinaryPrimitives.ReadUInt32LittleEndian(image.Slice(pos + 12));
                if (next == 0) break;
                pos += (int)next;
            }
        }
        return found;
    }

    private static string ReadName(ReadOnlySpan<byte> image, int stringTable, uint offset)
    {
        var start = checked(stringTable + (int)offset);
        if (start >= image.Length) throw new InvalidDataException("ELF string offset lies outside the image.");
        var end = image.Slice(start).IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException("ELF string is not terminated.");
        return Encoding.ASCII.GetString(image.Slice(start, end));
    }
}
