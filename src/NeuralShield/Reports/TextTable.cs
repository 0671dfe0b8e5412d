namespace NeuralShield.Reports;

/// <summary>
/// A plain-text table that fits a terminal: columns two spaces apart, and when the rows are wider than the limit the
/// widest column's cells wrap at spaces (continuation lines keep the other columns blank), so no cell ever slides under
/// another column's header.
/// </summary>
internal static class TextTable
{
    /// <summary>The table of <paramref name="rows"/> (the first is the header), at most <paramref name="maxWidth"/> characters a line when it can be.</summary>
    public static string Format(IReadOnlyList<string[]> rows, int maxWidth = 120)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) return "";
        var columns = rows[0].Length;
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var total = widths.Sum() + 2 * (columns - 1);
        if (total > maxWidth)
        {
            var wrap = Array.IndexOf(widths, widths.Max());
            widths[wrap] = Math.Max(rows[0][wrap].Length, Math.Max(12, widths[wrap] - (total - maxWidth)));
        }
        var lines = new List<string>();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, c) => Wrap(cell, widths[c])).ToArray();
            for (var line = 0; line < cells.Max(c => c.Count); line++)
                lines.Add(string.Join("  ", cells.Select((c, i) => (line < c.Count ? c[line] : "").PadRight(widths[i]))).TrimEnd());
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary><paramref name="text"/> cut into lines of at most <paramref name="width"/> characters, at spaces where it can.</summary>
    internal static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var rest = text;
        while (rest.Length > width)
        {
            var cut = rest.LastIndexOf(' ', width);
            if (cut <= 0) cut = width;
            lines.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }
        lines.Add(rest);
        return lines;
    }
}
