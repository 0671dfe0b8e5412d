namespace NeuralShield.Data;

/// <summary>
/// A CSV file of records with a header row and a named label column: every other column is a feature. A column whose
/// every value is a number stays that number (not standardised, so that a model trained on the file's values answers
/// the same rows; whole numbers throughout make it an integer column, bounded by the file's smallest and largest
/// value); any other column is categorical, one-hot encoded over its values in ordinal order. Labels that are all whole
/// numbers 0..C−1 are the class indices; otherwise the distinct label values, in ordinal order, are the classes.
/// Fields are separated by commas and trimmed (no quoting); the file may be gzip-compressed.
/// </summary>
public sealed class TabularCsv : IDisposable
{
    private TabularCsv(LabeledData data, FeatureSchema schema)
    {
        Data = data;
        Schema = schema;
    }

    /// <summary>The encoded records and their labels (feature names: a numeric column's name, <c>column=value</c> for a one-hot feature).</summary>
    public LabeledData Data { get; }

    /// <summary>What a valid record is: the columns, their kinds and bounds (refine it with <see cref="FeatureSchema.Refine"/>).</summary>
    public FeatureSchema Schema { get; }

    /// <summary>Loads <paramref name="path"/>, taking the column named <paramref name="labelColumn"/> as the label.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The header has no column <paramref name="labelColumn"/> (the message lists its columns).</exception>
    /// <exception cref="InvalidDataException">
    /// The file has no header or no record, a row has the wrong number of fields (file and line named), a header name
    /// repeats, there is no feature column, or the labels name fewer than 2 classes or skip a class index.
    /// </exception>
    public static TabularCsv Load(string path, string labelColumn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumn);
        var lines = DataFile.Lines(DataFile.ReadAllText(path)).Select((l, i) => (Text: l, Line: i + 1)).Where(l => !string.IsNullOrWhiteSpace(l.Text)).ToArray();
        if (lines.Length == 0) throw new InvalidDataException($"'{path}' is empty; expected a header row and records.");
        var header = Split(lines[0].Text);
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"'{path}' line {lines[0].Line}: the column name '{duplicate.Key}' appears twice.");
        var label = Array.IndexOf(header, labelColumn);
        if (label < 0)
            throw new ArgumentException($"'{path}' has no column '{labelColumn}' to take as the label; its columns are {string.Join(", ", header)}.", nameof(labelColumn));
        if (header.Length < 2) throw new InvalidDataException($"'{path}' has no feature column beside the label '{labelColumn}'.");
        if (lines.Length == 1) throw new InvalidDataException($"'{path}' holds a header and no record.");
        var rows = new string[lines.Length - 1][];
        for (var r = 1; r < lines.Length; r++)
        {
            var fields = Split(lines[r].Text);
            if (fields.Length != header.Length)
                throw new InvalidDataException($"'{path}' line {lines[r].Line}: expected {header.Length} comma-separated fields, found {fields.Length}.");
            rows[r - 1] = fields;
        }
        var featureColumns = Enumerable.Range(0, header.Length).Where(c => c != label).ToArray();
        var columns = new List<TabularColumn>();
        var names = new List<string>();
        foreach (var c in featureColumns)
        {
            var numbers = rows.Select(row => double.TryParse(row[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : (double?)null).ToArray();
            if (numbers.All(v => v is not null))
            {
                var values = numbers.Select(v => v!.Value).ToArray();
                columns.Add(new TabularColumn(header[c], names.Count, 1, null, 0, 1)
                {
                    IsInteger = values.All(v => v == Math.Floor(v)),
                    Minimum = values.Min(),
                    Maximum = values.Max(),
                });
                names.Add(header[c]);
            }
            else
            {
                var categories = rows.Select(row => row[c]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                columns.Add(new TabularColumn(header[c], names.Count, categories.Length, categories, 0, 1));
                names.AddRange(categories.Select(v => $"{header[c]}={v}"));
            }
        }
        var width = names.Count;
        var x = new float[checked(rows.Length * width)];
        for (var r = 0; r < rows.Length; r++)
            for (var k = 0; k < featureColumns.Length; k++)
            {
                var column = columns[k];
                var field = rows[r][featureColumns[k]];
                if (column.Categories is { } categories)
                    x[r * width + column.Offset + Array.BinarySearch((string[])categories, field, StringComparer.Ordinal)] = 1f;
                else
                    x[r * width + column.Offset] = (float)double.Parse(field, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        var (labels, classNames) = Labels(rows.Select(row => row[label]).ToArray(), path, labelColumn);
        var features = tensor(x, [rows.Length, width]);
        var y = tensor(labels, [rows.Length]);
        try
        {
            return new TabularCsv(new LabeledData(features, y, classNames.Length, classNames, names), new FeatureSchema(columns, width));
        }
        catch
        {
            features.Dispose();
            y.Dispose();
            throw;
        }
    }

    private static (long[] Labels, string[] ClassNames) Labels(string[] values, string path, string column)
    {
        if (values.All(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var indices = values.Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var classes = indices.Max() + 1;
            var missing = Enumerable.Range(0, (int)Math.Min(classes, 1 << 16)).Where(c => !indices.Contains(c)).ToArray();
            if (classes > 1 << 16 || missing.Length > 0)
                throw new InvalidDataException($"'{path}': the label column '{column}' holds class indices up to {classes - 1} but no record of class {(missing.Length > 0 ? missing[0] : classes - 1)}.");
            if (classes < 2) throw new InvalidDataException($"'{path}': the label column '{column}' holds one class; a data set needs at least 2.");
            return (indices, Enumerable.Range(0, (int)classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray());
        }
        var names = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (names.Length < 2) throw new InvalidDataException($"'{path}': the label column '{column}' holds one class ('{names[0]}'); a data set needs at least 2.");
        return (values.Select(v => (long)Array.BinarySearch(names, v, StringComparer.Ordinal)).ToArray(), names);
    }

    private static string[] Split(string line) => line.Split(',').Select(f => f.Trim()).ToArray();

    /// <inheritdoc />
    public void Dispose() => Data.Dispose();
}
