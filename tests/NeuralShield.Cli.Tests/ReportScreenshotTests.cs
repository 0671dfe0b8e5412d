using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;

namespace NeuralShield.Cli.Tests;

/// <summary>A test that needs Debian's chromium package; skipped, saying so, where /usr/bin/chromium is absent.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"Chromium is not installed ({Chromium}; Debian package chromium): the report screenshot cannot be taken.";
    }
}

/// <summary>
/// scripts/screenshot-report.sh takes a headless Chromium screenshot of an audit's report.html: at 1400×900 the
/// picture has that size, is not blank, and shows the page's white background with dark text at the top; the laid-out
/// DOM holds the five threat cards with their verdicts, and they and the gates end within the first screen; the page is
/// at most half the height the report had before it opened on the cards (8,127 px for the default audit at 1400 px wide).
/// </summary>
public class ReportScreenshotTests
{
    /// <summary>The default audit's page height before the summary cards (main, 2026-12-07, 1400 px wide), halved.</summary>
    private const int HalfTheFormerHeight = 8127 / 2;

    [ChromiumFact]
    public void TheFirstScreenHoldsTheFiveThreatCardsAndTheGates()
    {
        using var folder = new TempFolder();
        var (code, _, errors) = AuditCommandTests.QuickDigits(folder.Path,
            "fgsm-0.1,fgsm-0.2,pgd-linf-0.1,pgd-linf-0.2,jsma,fooling-gradient,membership-loss,membership-loss-top1,label-flip-0.1,backdoor-0.1",
            "--fail-under", "clean_accuracy=0.5", "--fail-under", "membership_auc=0.9");
        Assert.True(code == 0, string.Join("\n", errors));
        var script = Path.Combine(DataFolders.FindAbove("scripts", [AppContext.BaseDirectory])!, "screenshot-report.sh");
        var png = Path.Combine(folder.Path, "shot.png");
        var layout = Path.Combine(folder.Path, "layout.html");
        var start = new ProcessStartInfo("bash", [script, Path.Combine(folder.Path, "report.html"), png, "1400", "900", layout])
            { RedirectStandardError = true, RedirectStandardOutput = true };
        using (var process = Process.Start(start)!)
        {
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, stderr);
        }

        var (width, height, pixels) = DecodePng(File.ReadAllBytes(png));
        Assert.Equal((1400, 900), (width, height));
        var grey = pixels.Select(p => (p.R + p.G + p.B) / 3).ToArray();
        Assert.True(grey.Count(g => g < 200) > width * height / 100, "less than 1% of the screenshot is not white: a blank page");
        Assert.True(grey[5 * width + 1390] > 240, "the page background (top right) is not white");
        // The title "NeuralShield audit" is dark text in the top-left corner.
        Assert.Contains(Enumerable.Range(15, 30).SelectMany(y => Enumerable.Range(20, 200).Select(x => grey[y * width + x])), g => g < 80);

        // The DOM as Chromium laid it out: the cards' text is there and ends on the first screen, with the gates.
        var dom = File.ReadAllText(layout);
        int Bottom(string id)
        {
            var match = System.Text.RegularExpressions.Regex.Match(dom, $"id=\"{id}\"[^>]*data-bottom=\"(\\d+)\"");
            Assert.True(match.Success, $"no element {id} in the laid-out page");
            return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (var threat in new[] { "evasion", "fooling", "membership", "extraction", "poisoning" }) Assert.InRange(Bottom("threat-" + threat), 1, 900);
        Assert.InRange(Bottom("gates"), 1, 900);
        foreach (var text in new[] { "Evasion", "Fooling inputs", "Membership / privacy", "Extraction / transfer", "Poisoning", "robust accuracy, pgd-linf-0.1",
                     "membership_auc=0.9", "clean_accuracy=0.5", "not assessed" })
            Assert.Contains(text, dom);
        var page = System.Text.RegularExpressions.Regex.Match(dom, "data-page-height=\"(\\d+)\"");
        Assert.InRange(int.Parse(page.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 900, HalfTheFormerHeight);
    }

    /// <summary>Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes).</summary>
    private static (int Width, int Height, (byte R, byte G, byte B)[] Pixels) DecodePng(byte[] file)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, file.Take(8));
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at < file.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
            var data = file.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                channels = data[9] switch { 2 => 3, 6 => 4, _ => throw new NotSupportedException($"colour type {data[9]}") };
                Assert.Equal(0, data[12]);
            }
            else if (type == "IDAT") idat.Write(data);
            at += 12 + length;
        }
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        var stride = width * channels;
        var image = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = bytes[y * (stride + 1)];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= channels ? image[y * stride + x - channels] : 0;
                int b = y > 0 ? image[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? image[(y - 1) * stride + x - channels] : 0;
                var value = bytes[y * (stride + 1) + 1 + x];
                image[y * stride + x] = (byte)(filter switch
                {
                    0 => value,
                    1 => value + a,
                    2 => value + b,
                    3 => value + (a + b) / 2,
                    4 => value + Paeth(a, b, c),
                    _ => throw new NotSupportedException($"filter {filter}"),
                });
            }
        }
        var pixels = new (byte, byte, byte)[width * height];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (image[i * channels], image[i * channels + 1], image[i * channels + 2]);
        return (width, height, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
