using System.Text.Json;

namespace NeuralShield.Data;

/// <summary>
/// What makes a row of encoded features a valid record: the <see cref="TabularColumn"/>s it encodes — continuous or
/// integer numeric columns (standardised: feature = (value − mean) / std) with bounds in the file's units, one-hot
/// groups of categorical columns, and columns an attacker may not change. <see cref="Project"/> turns any perturbed row
/// into the nearest valid record of this kind (immutable columns restored, integers rounded, bounds applied, a one-hot
/// group set to its largest entry (all zero, a category the encoder did not know, stays so unless an entry passes 0.5): a categorical change is a category swap), <see cref="Decode"/> reads a row back as
/// the fields of a record, and <see cref="Violation"/> says why a row is not one.
/// </summary>
public sealed class FeatureSchema
{
    private readonly TabularColumn[] _columns;

    /// <summary>Creates a schema over <paramref name="featureCount"/> encoded features.</summary>
    /// <exception cref="ArgumentException">
    /// A column is empty, overlaps another, lies outside the features, a categorical column's width differs from its
    /// category count, a numeric column is wider than one feature, a column's bounds are reversed or its std not positive,
    /// a name repeats, or a feature belongs to no column.
    /// </exception>
    public FeatureSchema(IReadOnlyList<TabularColumn> columns, int featureCount)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Guard.Positive(featureCount, nameof(featureCount));
        _columns = columns.ToArray();
        var owner = new int[featureCount];
        Array.Fill(owner, -1);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < _columns.Length; i++)
        {
            var c = _columns[i] ?? throw new ArgumentNullException(nameof(columns), $"Column {i} is null.");
            if (!names.Add(c.Name)) throw new ArgumentException($"The column name '{c.Name}' appears twice.", nameof(columns));
            var expectedWidth = c.Categories?.Count ?? 1;
            if (c.Width != expectedWidth)
                throw new ArgumentException($"Column '{c.Name}' is {c.Width} features wide; {(c.IsCategorical ? $"its {expectedWidth} categories need {expectedWidth}" : "a numeric column is 1")}.", nameof(columns));
            if (!(c.Std > 0) || !(c.Minimum <= c.Maximum))
                throw new ArgumentException($"Column '{c.Name}' needs a positive std and Minimum ≤ Maximum (std {c.Std}, bounds [{c.Minimum}, {c.Maximum}]).", nameof(columns));
            if (c.Offset < 0 || c.Offset + c.Width > featureCount)
                throw new ArgumentException($"Column '{c.Name}' covers features {c.Offset}..{c.Offset + c.Width - 1}, outside the {featureCount} features.", nameof(columns));
            for (var f = c.Offset; f < c.Offset + c.Width; f++)
            {
                if (owner[f] >= 0) throw new ArgumentException($"Feature {f} belongs to both '{_columns[owner[f]].Name}' and '{c.Name}'.", nameof(columns));
                owner[f] = i;
            }
        }
        var orphan = Array.IndexOf(owner, -1);
        if (orphan >= 0) throw new ArgumentException($"Feature {orphan} belongs to no column; every feature needs one.", nameof(columns));
        FeatureCount = featureCount;
    }

    /// <summary>The columns, in the order given.</summary>
    public IReadOnlyList<TabularColumn> Columns => _columns;

    /// <summary>The number of encoded features.</summary>
    public int FeatureCount { get; }

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No column has that name (the message lists them).</exception>
    public TabularColumn this[string name] =>
        _columns.FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"The schema has no column '{name}'; its columns are {string.Join(", ", _columns.Select(c => c.Name))}.", nameof(name));

    /// <summary>This schema with the columns named <paramref name="names"/> immutable (the others as they were).</summary>
    /// <exception cref="ArgumentException">A name is not a column of the schema (the message lists them).</exception>
    public FeatureSchema WithImmutable(params IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (!_columns.Any(c => c.Name == n))
                throw new ArgumentException($"No column '{n}' to make immutable; the schema's columns are {string.Join(", ", _columns.Select(c => c.Name))}.", nameof(names));
            set.Add(n);
        }
        return new FeatureSchema(_columns.Select(c => set.Contains(c.Name) ? c with { IsImmutable = true } : c).ToArray(), FeatureCount);
    }

    /// <summary>
    /// This schema refined by a small JSON file: <c>{"immutable": ["race", "sex"], "integer": ["age"], "continuous": ["fnlwgt"],
    /// "bounds": {"age": [17, 90]}}</c> — every key optional, names are column names, bounds in the file's units.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not such JSON, or names a column the schema does not have, or a categorical column as numeric (the message names the file and the column).</exception>
    public FeatureSchema Refine(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The schema file '{path}' does not exist.", path);
        SchemaFile? file;
        try
        {
            file = JsonSerializer.Deserialize<SchemaFile>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The schema file '{path}' is not valid JSON of the form {{\"immutable\": [...], \"integer\": [...], \"continuous\": [...], \"bounds\": {{\"name\": [min, max]}}}}: {e.Message}", e);
        }
        if (file is null) throw new InvalidDataException($"The schema file '{path}' is empty (null).");
        var columns = _columns.ToArray();
        int Find(string name, bool numeric)
        {
            var i = Array.FindIndex(columns, c => c.Name == name);
            if (i < 0) throw new InvalidDataException($"The schema file '{path}' names the column '{name}', which the data do not have; the columns are {string.Join(", ", columns.Select(c => c.Name))}.");
            if (numeric && columns[i].IsCategorical) throw new InvalidDataException($"The schema file '{path}' gives the categorical column '{name}' a numeric kind or bounds.");
            return i;
        }
        foreach (var n in file.Immutable ?? []) columns[Find(n, false)] = columns[Find(n, false)] with { IsImmutable = true };
        foreach (var n in file.Integer ?? []) columns[Find(n, true)] = columns[Find(n, true)] with { IsInteger = true };
        foreach (var n in file.Continuous ?? []) columns[Find(n, true)] = columns[Find(n, true)] with { IsInteger = false };
        foreach (var (n, bounds) in file.Bounds ?? [])
        {
            var i = Find(n, true);
            if (bounds is not { Length: 2 } || !(bounds[0] <= bounds[1]))
                throw new InvalidDataException($"The schema file '{path}' gives '{n}' the bounds [{string.Join(", ", bounds ?? [])}]; expected [min, max] with min ≤ max.");
            columns[i] = columns[i] with { Minimum = bounds[0], Maximum = bounds[1] };
        }
        return new FeatureSchema(columns, FeatureCount);
    }

    private sealed record SchemaFile(string[]? Immutable, string[]? Integer, string[]? Continuous, Dictionary<string, double[]>? Bounds);

    /// <summary>
    /// The valid records nearest <paramref name="perturbed"/> that change nothing an attacker may not: each row's immutable
    /// columns are those of <paramref name="original"/>; numeric values are clamped to their bounds and integer ones
    /// rounded (in the file's units); each one-hot group becomes one-hot at its largest entry. Both are [N, features].
    /// </summary>
    /// <exception cref="ArgumentException">The batches are not [N, <see cref="FeatureCount"/>] of the same shape.</exception>
    public Tensor Project(Tensor original, Tensor perturbed)
    {
        CheckBatch(original, nameof(original));
        CheckBatch(perturbed, nameof(perturbed));
        if (!original.shape.SequenceEqual(perturbed.shape))
            throw new ArgumentException($"perturbed [{string.Join(", ", perturbed.shape)}] and original [{string.Join(", ", original.shape)}] differ in shape.", nameof(perturbed));
        var rows = (int)original.shape[0];
        var x = Values(perturbed);
        var o = Values(original);
        var result = new float[x.Length];
        for (var r = 0; r < rows; r++)
        {
            var row = r * FeatureCount;
            foreach (var c in _columns)
            {
                var source = c.IsImmutable ? o : x;
                if (c.IsCategorical)
                {
                    var best = 0;
                    for (var k = 1; k < c.Width; k++)
                        if (source[row + c.Offset + k] > source[row + c.Offset + best]) best = k;
                    // An all-zero group (a category the encoder did not know) stays so unless the perturbation sets an entry past 0.5.
                    var allZero = Enumerable.Range(0, c.Width).All(k => o[row + c.Offset + k] == 0f) && source[row + c.Offset + best] < 0.5f;
                    for (var k = 0; k < c.Width; k++) result[row + c.Offset + k] = !allZero && k == best ? 1f : 0f;
                }
                else if (c.IsImmutable)
                {
                    result[row + c.Offset] = o[row + c.Offset];
                }
                else
                {
                    result[row + c.Offset] = Encode(c, Valid(c, Raw(c, source[row + c.Offset])));
                }
            }
        }
        return tensor(result, [rows, FeatureCount]).to(perturbed.device);
    }

    /// <summary>Row <paramref name="row"/> of <paramref name="features"/> as the fields of a record: a number in the file's units, or a category's name.</summary>
    /// <exception cref="ArgumentException">The batch is not [N, <see cref="FeatureCount"/>] or the row lies outside it.</exception>
    public IReadOnlyList<string> Decode(Tensor features, int row)
    {
        CheckRow(features, row);
        using var one = features[row].cpu().to_type(ScalarType.Float32);
        var x = one.data<float>().ToArray();
        return _columns.Select(c => Field(c, x, 0)).ToArray();
    }

    /// <summary>
    /// Why row <paramref name="row"/> is not a valid record (a one-hot group with a value other than 0 and 1 or several
    /// categories set — none set is the encoding of a category the encoder did not know —, an integer column off a
    /// whole number, a value outside its bounds), or null when it is one. Numbers are compared in the file's units with a
    /// tolerance of 1e-3 of a column's std.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is not [N, <see cref="FeatureCount"/>] or the row lies outside it.</exception>
    public string? Violation(Tensor features, int row)
    {
        CheckRow(features, row);
        using var one = features[row].cpu().to_type(ScalarType.Float32);
        var x = one.data<float>().ToArray();
        foreach (var c in _columns)
        {
            if (c.IsCategorical)
            {
                var ones = 0;
                for (var k = 0; k < c.Width; k++)
                {
                    var v = x[c.Offset + k];
                    if (v != 0f && v != 1f) return $"'{c.Name}' holds {v} in a one-hot group";
                    ones += v == 1f ? 1 : 0;
                }
                if (ones > 1) return $"'{c.Name}' has {ones} categories set";
                continue;
            }
            var value = Raw(c, x[c.Offset]);
            var tolerance = 1e-3 * c.Std;
            if (c.IsInteger && Math.Abs(value - Math.Round(value)) > tolerance) return $"'{c.Name}' = {value} is not a whole number";
            if (value < c.Minimum - tolerance || value > c.Maximum + tolerance) return $"'{c.Name}' = {value} lies outside [{c.Minimum}, {c.Maximum}]";
        }
        return null;
    }

    /// <summary>For each row, the names of the columns whose decoded field differs between <paramref name="original"/> and <paramref name="changed"/>.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ChangedColumns(Tensor original, Tensor changed)
    {
        CheckBatch(original, nameof(original));
        CheckBatch(changed, nameof(changed));
        var o = Values(original);
        var x = Values(changed);
        var rows = (int)original.shape[0];
        var result = new IReadOnlyList<string>[rows];
        for (var r = 0; r < rows; r++)
            result[r] = _columns.Where(c => Field(c, o, r * FeatureCount) != Field(c, x, r * FeatureCount)).Select(c => c.Name).ToArray();
        return result;
    }

    private static string Field(TabularColumn c, float[] x, int row)
    {
        if (c.Categories is { } categories)
        {
            var best = -1;
            for (var k = 0; k < c.Width; k++)
                if (x[row + c.Offset + k] > 0.5f && (best < 0 || x[row + c.Offset + k] > x[row + c.Offset + best])) best = k;
            return best < 0 ? "(none)" : categories[best];
        }
        var value = Raw(c, x[row + c.Offset]) + 0.0; // no "-0"
        return c.IsInteger ? (Math.Round(value) + 0.0).ToString(CultureInfo.InvariantCulture) : value.ToString("G6", CultureInfo.InvariantCulture);
    }

    /// <summary>A numeric column's value in the file's units, made valid: rounded when the column is integer, clamped to its bounds.</summary>
    internal static double Valid(TabularColumn c, double raw)
    {
        var value = c.IsInteger ? Math.Round(raw, MidpointRounding.AwayFromZero) : raw;
        return Math.Clamp(value, c.IsInteger ? Math.Ceiling(c.Minimum) : c.Minimum, c.IsInteger ? Math.Floor(c.Maximum) : c.Maximum);
    }

    /// <summary>A numeric column's feature for a value in the file's units.</summary>
    internal static float Encode(TabularColumn c, double raw) => (float)((raw - c.Mean) / c.Std);

    /// <summary>A numeric column's value in the file's units for its feature.</summary>
    internal static double Raw(TabularColumn c, float encoded) => encoded * c.Std + c.Mean;

    private float[] Values(Tensor batch)
    {
        using var cpu = batch.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return cpu.data<float>().ToArray();
    }

    private void CheckRow(Tensor features, int row)
    {
        CheckBatch(features, nameof(features));
        if (row < 0 || row >= features.shape[0]) throw new ArgumentOutOfRangeException(nameof(row), row, $"The batch has {features.shape[0]} rows.");
    }

    private void CheckBatch(Tensor batch, string name)
    {
        ArgumentNullException.ThrowIfNull(batch, name);
        if (batch.dim() != 2 || batch.shape[1] != FeatureCount)
            throw new ArgumentException($"{name} of shape [{string.Join(", ", batch.shape)}] is not a batch of rows of the schema's {FeatureCount} features ([N, {FeatureCount}]).", name);
    }
}
