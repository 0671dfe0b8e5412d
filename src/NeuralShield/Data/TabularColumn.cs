namespace NeuralShield.Data;

/// <summary>
/// One input column of a tabular dataset and the slice of encoded features it became: a numeric column
/// is one standardised feature; a categorical column is a one-hot group of <see cref="Width"/> features.
/// </summary>
/// <param name="Name">The column's name in the source file.</param>
/// <param name="Offset">Index of the column's first encoded feature.</param>
/// <param name="Width">Number of encoded features (1 for a numeric column).</param>
/// <param name="Categories">The categories of a categorical column in one-hot order; null for a numeric column.</param>
/// <param name="Mean">The training mean subtracted from a numeric column (0 for a categorical one).</param>
/// <param name="Std">The training standard deviation a numeric column is divided by (1 for a categorical one).</param>
public sealed record TabularColumn(string Name, int Offset, int Width, IReadOnlyList<string>? Categories, double Mean, double Std)
{
    /// <summary>Whether the column is one-hot encoded.</summary>
    public bool IsCategorical => Categories is not null;

    /// <summary>Whether a numeric column holds whole numbers (in the file's units): a valid record keeps it integral.</summary>
    public bool IsInteger { get; init; }

    /// <summary>The smallest value a valid record holds in a numeric column, in the file's units. Default −∞.</summary>
    public double Minimum { get; init; } = double.NegativeInfinity;

    /// <summary>The largest value a valid record holds in a numeric column, in the file's units. Default +∞.</summary>
    public double Maximum { get; init; } = double.PositiveInfinity;

    /// <summary>Whether an attacker may not change the column (age, race, a contract's start date): evasion leaves it as it was.</summary>
    public bool IsImmutable { get; init; }
}
