using NeuralShield.Runtime;
using static TorchSharp.torch;

namespace NeuralShield.Tests.Runtime;

public class NativeRuntimeTests
{
    [Fact]
    public void TorchSharpLoadsAndComputesAfterInitialisation()
    {
        var status = NativeRuntime.Initialize();
        Assert.NotNull(status.BridgePath);
        using var a = tensor(new float[] { 1, 2, 3 });
        using var s = (a * a).sum();
        Assert.Equal(14f, s.item<float>());
    }

    [Fact]
    public void PatchedCopyIsUsedExactlyWhenTheSystemLibstdcxxLacksGlibcxx3432()
    {
        var status = NativeRuntime.Initialize();
        var systemHas3432 = SystemLibstdcxxDefines("GLIBCXX_3.4.32");
        Assert.Equal(!systemHas3432, status.UsedPatchedCopy);
        if (status.UsedPatchedCopy)
        {
            var needs = ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(status.PatchedCopyPath!));
            Assert.DoesNotContain(needs, n => n.Version == "GLIBCXX_3.4.32");
            Assert.NotEqual(Path.GetDirectoryName(status.BridgePath), Path.GetDirectoryName(status.PatchedCopyPath));
        }
    }

    [Fact]
    public void RewriteChangesOnlyTheOneVersionNeedEntry()
    {
        var bridge = NativeRuntime.FindBridge();
        Assert.NotNull(bridge);
        var original = File.ReadAllBytes(bridge!);
        var before = ElfVersionNeedPatcher.ReadVersionNeeds(original);
        Assert.Contains(before, n => n.Version == "GLIBCXX_3.4.32" && n.File == "libstdc++.so.6");
        var patched = (byte[])original.Clone();

        var count = ElfVersionNeedPatcher.Rewrite(patched, "libstdc++.so.6", "GLIBCXX_3.4.32", "GLIBCXX_3.4.30");

        Assert.Equal(1, count);
        var after = ElfVersionNeedPatcher.ReadVersionNeeds(patched);
        Assert.Equal(before.Count, after.Count);
        var entry30 = before.Single(n => n.Version == "GLIBCXX_3.4.30");
        for (var i = 0; i < before.Count; i++)
        {
            if (before[i].Version == "GLIBCXX_3.4.32")
                Assert.Equal(new ElfVersionNeedPatcher.VersionNeed(before[i].File, "GLIBCXX_3.4.30", entry30.Hash, before[i].Index), after[i]);
            else
                Assert.Equal(before[i], after[i]);
        }
        var differing = Enumerable.Range(0, original.Length).Count(i => original[i] != patched[i]);
        Assert.InRange(differing, 1, 8); // one hash and one name offset
        Assert.Equal(0, ElfVersionNeedPatcher.Rewrite(patched, "libstdc++.so.6", "GLIBCXX_3.4.32", "GLIBCXX_3.4.30"));
    }

    [Fact]
    public void StoredHashIsTheElfHashOfTheName()
    {
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(NativeRuntime.FindBridge()!));
        foreach (var need in needs) Assert.Equal(ElfHash(need.Version), need.Hash);
    }

    [Fact]
    public void MalformedImagesAreRejectedWithInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(new byte[100]));
        var truncated = File.ReadAllBytes(NativeRuntime.FindBridge()!).AsSpan(0, 4096).ToArray();
        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(truncated));
        var elf32 = File.ReadAllBytes(NativeRuntime.FindBridge()!).AsSpan(0, 128).ToArray();
        elf32[4] = 1;
        Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(elf32));
    }

    [Fact]
    public void RewriteWithoutADonorEntryFails()
    {
        var image = File.ReadAllBytes(NativeRuntime.FindBridge()!);
        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.Rewrite(image, "libstdc++.so.6", "GLIBCXX_3.4.32", "GLIBCXX_9.9"));
        Assert.Contains("GLIBCXX_9.9", ex.Message);
    }

    private static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (var c in name)
        {
            h = (h << 4) + c;
            var g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    private static bool SystemLibstdcxxDefines(string version)
    {
        foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib" })
        {
            var path = Path.Combine(dir, "libstdc++.so.6");
            if (!File.Exists(path)) continue;
            var bytes = File.ReadAllBytes(path);
            var needle = System.Text.Encoding.ASCII.GetBytes(version + "\0");
            return bytes.AsSpan().IndexOf(needle) >= 0;
        }
        return false;
    }
}
