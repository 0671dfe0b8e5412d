namespace NeuralShield.Attacks.Extraction;

/// <summary>
/// Success rates of adversarials crafted on each row and judged on each column: the diagonal is the white-box attack,
/// the rest transfer (or, for the black-box row, a black-box attack on the column itself).
/// </summary>
/// <param name="Rows">Where the adversarials were crafted.</param>
/// <param name="Columns">Where they were judged.</param>
/// <param name="SuccessRates">[row][column] success rates (NaN where a row has no entry).</param>
/// <param name="MaskingFlags">One verdict per column.</param>
/// <param name="Samples">Samples attacked.</param>
/// <param name="Margin">The masking flag's margin.</param>
public sealed record TransferMatrix(IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<double>> SuccessRates,
    IReadOnlyList<GradientMaskingFlag> MaskingFlags, int Samples, double Margin)
{
    /// <summary>The success of adversarials crafted on <paramref name="from"/> and judged on <paramref name="to"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such row or column.</exception>
    public double this[string from, string to]
    {
        get
        {
            var r = Index(Rows, from, "row");
            var c = Index(Columns, to, "column");
            return SuccessRates[r][c];
        }
    }

    /// <summary>Whether the model named <paramref name="model"/> is flagged for gradient masking.</summary>
    public bool IsFlagged(string model) => MaskingFlags[Index(Columns, model, "column")].Flagged;

    /// <summary>The entries as flat keys "<paramref name="prefix"/>.&lt;from&gt;.&lt;to&gt;" (what a report's metrics hold).</summary>
    public IReadOnlyDictionary<string, double> Flatten(string prefix = "matrix")
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var r = 0; r < Rows.Count; r++)
            for (var c = 0; c < Columns.Count; c++)
                values[$"{prefix}.{Rows[r]}.{Columns[c]}"] = SuccessRates[r][c];
        return values;
    }

    private static int Index(IReadOnlyList<string> names, string name, string what)
    {
        for (var i = 0; i < names.Count; i++) if (names[i] == name) return i;
        throw new KeyNotFoundException($"No {what} named '{name}'; the {what}s are {string.Join(", ", names)}.");
    }
}
