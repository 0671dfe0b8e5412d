namespace NeuralShield.Data;

/// <summary>
/// Reads classification data in scikit-learn's CSV layout: an optional first line
/// <c>n_samples,n_features,class names...</c> (e.g. iris: <c>150,4,setosa,versicolor,virginica</c>), then one
/// row per sample with the features followed by the integer class label. Files may be gzip-compressed
/// (recognised by content). Numbers use the invariant culture.
/// </summary>
public static class SklearnCsv
{
    /// <summary>The largest number of classes a file without class names may imply (largest label + 1).</summary>
    public const int MaxImpliedClasses = 1 << 16;

    /// <summary>
    /// Loads <paramref name="path"/> as features float32 [n_samples, n_features] and labels int64 [n_samples].
    /// The classes are <paramref name="classCount"/> when given, else the header's class names when it names
    /// them, else 0..(largest label) — and then every class 0..(largest label) must have at least one sample,
    /// so that one stray label (say 65535) cannot silently turn the file into a 65,536-class set.
    /// </summary>
    /// <param name="path">The CSV file (raw or gzip).</param>
    /// <param name="hasHeader">
    /// Whether the first line is the <c>n_samples,n_features,...</c> header. When null it is detected: the first
    /// line is a header when at least one of its fields is not a number (a header without class names, or
    /// with numeric ones, is therefore only recognised when this is true).
    /// </param>
    /// <param name="classCount">
    /// The number of classes, when known (at least 2): every label must be below it, and classes without
    /// samples are allowed. Must equal the number of class names when the header names them.
    /// </param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is malformed; the message names the file and the 1-based line: header counts that do not
    /// match the data, a row with the wrong number of fields, a value that is not a finite number, a label that
    /// is not a class index, a label at or above <paramref name="classCount"/> or the named classes, or
    /// (without either) labels that leave a class 0..(largest label) with no sample, or a header whose class
    /// names disagree with <paramref name="classCount"/>.
    /// </exception>
    public static LabeledData Load(string path, bool? hasHeader = null, int? classCount = null)
    {
        if (classCount is { } count && count < 2)
            throw new ArgumentOutOfRangeException(nameof(classCount), count, "A dataset needs at least 2 classes.");
        var table = Parse(DataFile.ReadAllText(path), path, hasHeader, classCount);
        return table.ToLabeledData([table.Rows, table.Columns]);
    }

    /// <summary>A parsed file: row-major features, labels and the classes.</summary>
    internal sealed record Table(float[] Features, long[] Labels, int Rows, int Columns, int ClassCount, string[]? ClassNames)
    {
        /// <summary>Fresh tensors of the table, the features viewed as <paramref name="featureShape"/>.</summary>
        public LabeledData ToLabeledData(long[] featureShape, float scale = 1f)
        {
            var values = Features;
            if (scale != 1f)
            {
                values = new float[Features.Length];
                for (var i = 0; i < values.Length; i++) values[i] = Features[i] * scale;
            }
            var x = tensor(values, featureShape);
            var y = tensor(Labels, [Rows]);
            try
            {
                return new LabeledData(x, y, ClassCount, ClassNames);
            }
            catch
            {
                x.Dispose();
                y.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Parses the text of a file; <paramref name="source"/> names it in messages. With <paramref name="classCount"/>
    /// the labels must lie below it; without it or class names, every class 0..(largest label) must occur.
    /// </summary>
    internal static Table Parse(string text, string source, bool? hasHeader, int? classCount = null)
    {
        var lines = DataFile.Lines(text);
        var rows = new List<int>(lines.Length); // indices of the non-blank lines
        for (var i = 0; i < lines.Length; i++)
            if (!string.IsNullOrWhiteSpace(lines[i])) rows.Add(i);
        if (rows.Count == 0) throw new InvalidDataException($"'{source}' is empty; expected scikit-learn CSV data.");

        var firstFields = Fields(lines[rows[0]]);
        var header = hasHeader ?? firstFields.Any(f => !IsNumber(f));
        string[]? classNames = null;
        int columns;
        if (header)
        {
            var at = Where(source, rows[0]);
            if (firstFields.Length < 2)
                throw new InvalidDataException($"{at}: a header needs n_samples and n_features; found '{lines[rows[0]]}'.");
            var declaredRows = HeaderCount(firstFields[0], "n_samples", at, allowZero: true);
            columns = HeaderCount(firstFields[1], "n_features", at, allowZero: false);
            if (firstFields.Length > 2)
            {
                classNames = firstFields[2..];
                if (classNames.Any(string.IsNullOrEmpty))
                    throw new InvalidDataException($"{at}: the header has an empty class name.");
                if (classNames.Length < 2)
                    throw new InvalidDataException($"{at}: the header names only one class; a dataset needs at least 2.");
            }
            if (classNames is not null && classCount is { } declared && classNames.Length != declared)
                throw new InvalidDataException($"{at}: the header names {classNames.Length} classes but classCount is {declared}.");
            rows.RemoveAt(0);
            if (rows.Count != declaredRows)
                throw new InvalidDataException(
                    $"{at}: the header declares {declaredRows} samples but the file holds {rows.Count} data rows.");
        }
        else
        {
            columns = firstFields.Length - 1;
            if (columns < 1)
                throw new InvalidDataException($"{Where(source, rows[0])}: a row needs at least one feature and a label; found '{lines[rows[0]]}'.");
        }
        if (rows.Count == 0) throw new InvalidDataException($"'{source}' holds no samples.");

        var features = new float[checked(rows.Count * columns)];
        var labels = new long[rows.Count];
        long maxLabel = -1;
        for (var r = 0; r < rows.Count; r++)
        {
            var at = Where(source, rows[r]);
            var fields = Fields(lines[rows[r]]);
            if (fields.Length != columns + 1)
                throw new InvalidDataException(
                    $"{at}: expected {columns + 1} fields ({columns} features and a label), found {fields.Length}.");
            for (var c = 0; c < columns; c++)
            {
                if (!float.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                    throw new InvalidDataException($"{at}, field {c + 1}: '{fields[c]}' is not a finite number.");
                features[r * columns + c] = value;
            }
            var label = ParseLabel(fields[columns], at);
            if (classNames is not null && label >= classNames.Length)
                throw new InvalidDataException($"{at}: label {label} lies outside the {classNames.Length} classes the header names.");
            if (classNames is null && classCount is { } given && label >= given)
                throw new InvalidDataException($"{at}: label {label} lies outside the {given} classes given by classCount (0..{given - 1}).");
            if (classNames is null && classCount is null && label >= MaxImpliedClasses)
                throw new InvalidDataException($"{at}: label {label} is too large for a class index (at most {MaxImpliedClasses - 1} without class names).");
            labels[r] = label;
            maxLabel = Math.Max(maxLabel, label);
        }
        var classes = classNames?.Length ?? classCount ?? (int)(maxLabel + 1);
        if (classes < 2)
            throw new InvalidDataException($"'{source}' has only one class (every label is 0) and no header naming its classes.");
        if (classNames is null && classCount is null) RequireEveryClass(labels, classes, source, rows, lines);
        return new Table(features, labels, rows.Count, columns, classes, classNames);
    }

    /// <summary>
    /// Refuses labels 0..classCount−1 that leave a class without a sample; the message names the line of the
    /// smallest label above the first missing class (for a stray label, its line) and the value.
    /// </summary>
    private static void RequireEveryClass(long[] labels, int classCount, string source, List<int> rows, string[] lines)
    {
        var seen = new bool[classCount];
        foreach (var label in labels) seen[label] = true;
        var missing = Array.IndexOf(seen, false);
        if (missing < 0) return;
        var missingCount = seen.Count(s => !s);
        var row = -1;
        for (var r = 0; r < labels.Length; r++)
            if (labels[r] > missing && (row < 0 || labels[r] < labels[row])) row = r;
        var value = labels[row];
        var text = lines[rows[row]].Trim();
        if (text.Length > 80) text = text[..77] + "...";
        var examples = string.Join(", ", Enumerable.Range(0, classCount).Where(c => !seen[c]).Take(5));
        throw new InvalidDataException(
            $"{Where(source, rows[row])}: label {value} implies {classCount} classes (0..{classCount - 1}), but {missingCount} of them have no sample " +
            $"(first: {examples}{(missingCount > 5 ? ", ..." : "")}); the line reads '{text}'. " +
            "Fix the label, or pass classCount when the file really has classes without samples.");
    }

    private static string Where(string source, int lineIndex) => $"'{source}' line {lineIndex + 1}";

    private static string[] Fields(string line)
    {
        var fields = line.Split(',');
        for (var i = 0; i < fields.Length; i++) fields[i] = fields[i].Trim();
        return fields;
    }

    private static bool IsNumber(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static int HeaderCount(string field, string name, string at, bool allowZero)
    {
        if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || (value == 0 && !allowZero))
            throw new InvalidDataException($"{at}: the header's {name} '{field}' is not a {(allowZero ? "non-negative" : "positive")} integer.");
        return value;
    }

    private static long ParseLabel(string field, string at)
    {
        if (long.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var label) && label >= 0)
            return label;
        // Labels written as floats, e.g. "1.0" or "1.000000000000000000e+00".
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value >= 0 && value <= int.MaxValue && value == Math.Floor(value))
            return (long)value;
        throw new InvalidDataException($"{at}: the label '{field}' is not a non-negative integer class index.");
    }
}
