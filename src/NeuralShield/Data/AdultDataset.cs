namespace NeuralShield.Data;

/// <summary>
/// UCI Adult (census income, Kohavi and Becker 1996): predict whether income exceeds 50K from 14 census
/// attributes. Categorical columns are one-hot encoded over the categories seen in the training file
/// (sorted ordinally; a missing value <c>?</c> is a category of its own; a category seen only in the test
/// file encodes as all zeros); numeric columns are standardised with the training mean and (population)
/// standard deviation. Classes: 0 = <c>&lt;=50K</c>, 1 = <c>&gt;50K</c>.
/// </summary>
public sealed class AdultDataset : IDisposable
{
    private const int LabelColumn = 14;

    /// <summary>The 15 columns of <c>adult.data</c> / <c>adult.test</c>, the last being the income label.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } =
    [
        "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
        "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income",
    ];

    /// <summary>The class names: index 0 is <c>&lt;=50K</c>, index 1 is <c>&gt;50K</c>.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["<=50K", ">50K"];

    private static readonly bool[] Numeric =
        [true, false, true, false, true, false, false, false, false, false, true, true, true, false];

    private AdultDataset(LabeledData train, LabeledData test, IReadOnlyList<TabularColumn> columns, IReadOnlyList<string> featureNames)
    {
        Train = train;
        Test = test;
        Columns = columns;
        FeatureNames = featureNames;
        NumericFeatures = columns.Where(c => !c.IsCategorical).Select(c => c.Offset).ToArray();
        Schema = new FeatureSchema(columns, featureNames.Count);
    }

    /// <summary>
    /// What a valid Adult record is: the six numeric columns are whole numbers within the training file's range, the
    /// eight categorical ones one-hot groups; no column is immutable (<see cref="FeatureSchema.WithImmutable"/> marks some).
    /// </summary>
    public FeatureSchema Schema { get; }

    /// <summary>The training rows (32,561 in the original file), encoded.</summary>
    public LabeledData Train { get; }

    /// <summary>The test rows (16,281 in the original file), encoded with the encoder fit on <see cref="Train"/>.</summary>
    public LabeledData Test { get; }

    /// <summary>The 14 input columns and where each lies among the encoded features.</summary>
    public IReadOnlyList<TabularColumn> Columns { get; }

    /// <summary>Names of the encoded features: a numeric column's name, or <c>column=category</c> for a one-hot feature.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Indices of the standardised numeric features.</summary>
    public IReadOnlyList<int> NumericFeatures { get; }

    /// <summary>Loads <c>adult.data</c> and <c>adult.test</c> (each raw or <c>.gz</c>) from <paramref name="directory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing (the message names what was looked for).</exception>
    /// <exception cref="InvalidDataException">A file is malformed (the message names file and line).</exception>
    public static AdultDataset Load(string directory)
    {
        DataFile.RequireDirectory(directory, "Adult");
        var train = DataFile.Find(directory, "adult.data")
            ?? throw new FileNotFoundException($"No Adult training file in '{directory}': looked for adult.data[.gz].", Path.Combine(directory, "adult.data"));
        var test = DataFile.Find(directory, "adult.test")
            ?? throw new FileNotFoundException($"No Adult test file in '{directory}': looked for adult.test[.gz].", Path.Combine(directory, "adult.test"));
        return Load(train, test);
    }

    /// <summary>
    /// Loads the training and test files (raw or gzip) and encodes both with an encoder fit on the
    /// training file only. Blank lines and lines starting with <c>|</c> (the test file's first line) are
    /// skipped; a trailing dot on the label (<c>&lt;=50K.</c> in the test file) is ignored.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A row has the wrong number of columns, a numeric field is not a number, or a label is neither
    /// <c>&lt;=50K</c> nor <c>&gt;50K</c>; the message names the file and the 1-based line.
    /// </exception>
    public static AdultDataset Load(string trainPath, string testPath)
    {
        var trainRows = ReadRows(trainPath);
        var testRows = ReadRows(testPath);
        var columns = Fit(trainRows);
        var featureNames = columns
            .SelectMany(c => c.Categories is { } cats ? cats.Select(cat => $"{c.Name}={cat}") : [c.Name])
            .ToArray();
        var train = Encode(trainRows, columns, featureNames);
        try
        {
            return new AdultDataset(train, Encode(testRows, columns, featureNames), columns, featureNames);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private sealed record Rows(string Source, List<string[]> Fields, List<double[]> Numbers, List<long> Labels);

    private static Rows ReadRows(string path)
    {
        var lines = DataFile.Lines(DataFile.ReadAllText(path));
        var rows = new Rows(path, new List<string[]>(lines.Length), new List<double[]>(lines.Length), new List<long>(lines.Length));
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('|')) continue;
            var at = $"'{path}' line {i + 1}";
            var fields = line.Split(',');
            if (fields.Length != ColumnNames.Count)
                throw new InvalidDataException($"{at}: expected {ColumnNames.Count} comma-separated columns, found {fields.Length}.");
            var numbers = new double[LabelColumn];
            for (var c = 0; c < fields.Length; c++)
            {
                fields[c] = fields[c].Trim();
                if (c < LabelColumn && Numeric[c])
                {
                    if (!double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[c]) || !double.IsFinite(numbers[c]))
                        throw new InvalidDataException($"{at}: the numeric column {ColumnNames[c]} holds '{fields[c]}', which is not a number.");
                }
            }
            var label = fields[LabelColumn].EndsWith('.') ? fields[LabelColumn][..^1] : fields[LabelColumn];
            var index = label switch
            {
                "<=50K" => 0,
                ">50K" => 1,
                _ => throw new InvalidDataException($"{at}: unknown income label '{fields[LabelColumn]}'; expected <=50K or >50K."),
            };
            rows.Fields.Add(fields);
            rows.Numbers.Add(numbers);
            rows.Labels.Add(index);
        }
        if (rows.Labels.Count == 0) throw new InvalidDataException($"'{path}' holds no Adult rows.");
        return rows;
    }

    private static TabularColumn[] Fit(Rows train)
    {
        var columns = new TabularColumn[LabelColumn];
        var offset = 0;
        for (var c = 0; c < LabelColumn; c++)
        {
            if (Numeric[c])
            {
                double sum = 0;
                foreach (var row in train.Numbers) sum += row[c];
                var mean = sum / train.Numbers.Count;
                double squares = 0;
                foreach (var row in train.Numbers) squares += (row[c] - mean) * (row[c] - mean);
                var std = Math.Sqrt(squares / train.Numbers.Count);
                columns[c] = new TabularColumn(ColumnNames[c], offset, 1, null, mean, std > 0 ? std : 1)
                {
                    IsInteger = true,
                    Minimum = train.Numbers.Min(row => row[c]),
                    Maximum = train.Numbers.Max(row => row[c]),
                };
                offset += 1;
            }
            else
            {
                var categories = train.Fields.Select(f => f[c]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                columns[c] = new TabularColumn(ColumnNames[c], offset, categories.Length, categories, 0, 1);
                offset += categories.Length;
            }
        }
        return columns;
    }

    private static LabeledData Encode(Rows rows, TabularColumn[] columns, IReadOnlyList<string> featureNames)
    {
        var width = featureNames.Count;
        var values = new float[rows.Labels.Count * width];
        var lookups = columns
            .Select(c => c.Categories?.Select((cat, i) => (cat, i)).ToDictionary(p => p.cat, p => p.i, StringComparer.Ordinal))
            .ToArray();
        for (var r = 0; r < rows.Labels.Count; r++)
        {
            var baseIndex = r * width;
            for (var c = 0; c < columns.Length; c++)
            {
                var column = columns[c];
                if (lookups[c] is { } lookup)
                {
                    if (lookup.TryGetValue(rows.Fields[r][c], out var k)) values[baseIndex + column.Offset + k] = 1f;
                }
                else
                {
                    values[baseIndex + column.Offset] = (float)((rows.Numbers[r][c] - column.Mean) / column.Std);
                }
            }
        }
        var x = tensor(values, [rows.Labels.Count, width]);
        var y = tensor(rows.Labels.ToArray(), [rows.Labels.Count]);
        try
        {
            return new LabeledData(x, y, ClassNames.Count, ClassNames, featureNames);
        }
        catch
        {
            x.Dispose();
            y.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
