namespace NeuralShield.Data;

/// <summary>Small datasets that ship inside the library, so examples and tests need no files.</summary>
public static class Datasets
{
    private const string DigitsResource = "NeuralShield.Data.digits.csv.gz";
    private const int DigitsSide = 8;
    private const int DigitsMaxValue = 16;

    private static readonly Lazy<SklearnCsv.Table> DigitsTable = new(ParseDigits);

    /// <summary>
    /// The scikit-learn digits set (UCI optical recognition of handwritten digits, test part): 1797 images of
    /// 8×8 pixels as features float32 [1797, 1, 8, 8] scaled to [0, 1] (value / 16), labels 0..9.
    /// The file is parsed once; each call returns a new dataset with fresh tensors.
    /// </summary>
    public static LabeledData Digits()
    {
        var table = DigitsTable.Value;
        return table.ToLabeledData([table.Rows, 1, DigitsSide, DigitsSide], scale: 1f / DigitsMaxValue);
    }

    private static SklearnCsv.Table ParseDigits()
    {
        var assembly = typeof(Datasets).Assembly;
        using var stream = assembly.GetManifestResourceStream(DigitsResource)
            ?? throw new InvalidOperationException($"The embedded resource '{DigitsResource}' is missing from {assembly.GetName().Name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        var source = $"embedded resource {DigitsResource}";
        if (DataFile.IsGzip(bytes)) bytes = DataFile.Gunzip(bytes, source);
        var table = SklearnCsv.Parse(DataFile.Decode(bytes), source, hasHeader: null);
        if (table.Columns != DigitsSide * DigitsSide || table.ClassCount != 10)
            throw new InvalidDataException(
                $"The {source} holds {table.Columns} features and {table.ClassCount} classes; expected {DigitsSide * DigitsSide} and 10.");
        return table;
    }
}
